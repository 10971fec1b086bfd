import KilnIR

/// `nn.Conv1d(in_channels, out_channels, kernel_size, stride, padding, bias)` on `[N, C, L]`.
/// Parameters: `weight [out, in, k]`, `bias [out]`. Lowered as a 1×k Conv2d on `[N, C, 1, L]`.
public struct Conv1d: Layer {
    public var inChannels, outChannels, kernelSize, stride, padding: Int
    public var bias: Bool

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        (self.inChannels, self.outChannels, self.kernelSize, self.stride, self.padding, self.bias) =
            (inChannels, outChannels, kernelSize, stride, padding, bias)
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let b = x.builder
        guard x.shape.rank == 3, x.channels == inChannels else {
            throw IRError.shapeMismatch(layer: b.currentPath, detail: "Conv1d expects [N, \(inChannels), L] input, got \(x.shape)")
        }
        guard kernelSize > 0, stride > 0, padding >= 0 else {
            throw IRError.invalidAttribute(layer: b.currentPath, detail: "Conv1d kernel and stride must be positive and padding non-negative")
        }
        let weight = try b.parameter("weight", [outChannels, inChannels, kernelSize])
        var consts = [b.derivedConstant([outChannels, inChannels, 1, kernelSize], .reshaped(weight))]
        if bias { consts.append(try b.parameter("bias", [outChannels])) }
        let attrs = Conv2dAttrs(outChannels: outChannels, kernel: (1, kernelSize), stride: (1, stride),
                                padding: (0, padding), dilation: (1, 1), groups: 1)
        let y = try b.apply(.conv2d(attrs, hasBias: bias), [try x.view(x.shape[0], inChannels, 1, x.shape[2])], constants: consts)
        return try y.view(y.shape[0], outChannels, y.shape[3])
    }
}
