import KilnIR

/// `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)`.
/// Parameters: `weight [out, in/groups, kh, kw]`, `bias [out]`.
public struct Conv2d: Layer {
    public var inChannels, outChannels: Int
    public var kernelSize, stride, padding, dilation: (Int, Int)
    public var groups: Int
    public var bias: Bool

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                padding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias)
    }

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.bias = bias
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let b = x.builder
        let layer = b.currentPath
        func invalid(_ s: String) -> IRError { .invalidAttribute(layer: layer, detail: s) }
        guard groups > 0, inChannels > 0, outChannels > 0 else { throw invalid("Conv2d channels and groups must be positive") }
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw invalid("Conv2d channels (\(inChannels) in, \(outChannels) out) are not divisible by groups \(groups)")
        }
        guard kernelSize.0 > 0, kernelSize.1 > 0, stride.0 > 0, stride.1 > 0, dilation.0 > 0, dilation.1 > 0,
              padding.0 >= 0, padding.1 >= 0 else {
            throw invalid("Conv2d kernel, stride and dilation must be positive and padding non-negative")
        }
        guard x.shape.rank == 4, x.channels == inChannels else {
            throw IRError.shapeMismatch(layer: layer, detail: "Conv2d expects [N, \(inChannels), H, W] input, got \(x.shape)")
        }
        var consts = [try b.parameter("weight", [outChannels, inChannels / groups, kernelSize.0, kernelSize.1])]
        if bias { consts.append(try b.parameter("bias", [outChannels])) }
        let attrs = Conv2dAttrs(outChannels: outChannels, kernel: kernelSize, stride: stride, padding: padding,
                                dilation: dilation, groups: groups)
        return try b.apply(.conv2d(attrs, hasBias: bias), [x], constants: consts)
    }
}
