import KilnIR

/// `nn.MaxPool2d(kernel_size, stride, padding)`; stride defaults to the kernel size, as in PyTorch.
public struct MaxPool2d: Layer {
    public var kernelSize, stride, padding: Int

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        guard kernelSize > 0, stride > 0, padding >= 0, padding * 2 <= kernelSize else {
            throw IRError.invalidAttribute(layer: x.builder.currentPath,
                detail: "MaxPool2d needs kernel and stride > 0 and padding at most half the kernel")
        }
        let attrs = Pool2dAttrs(kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding))
        return try x.builder.apply(.maxPool2d(attrs), [x])
    }
}
