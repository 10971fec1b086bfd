import KilnDSL

/// ECA-Net's channel gate (BangguWu/ECANet `eca_layer`): a 1-D conv of size k across the
/// pooled channels (zero padding, no bias), then a sigmoid: `x * sigmoid(conv(gap(x)))`.
public struct EfficientChannelAttention: Layer {
    public var kernelSize: Int

    public init(kernelSize: Int = 3) { self.kernelSize = kernelSize }

    public func forward(_ x: Tensor) throws -> Tensor {
        let (n, c) = (x.shape[0], x.channels)
        // y.squeeze(-1).transpose(-1, -2): [N, C, 1, 1] -> [N, 1, C], a view since the moved axis is 1.
        let pooled = try x.globalAvgPool().view(n, 1, c)
        let conv = Conv1d(1, 1, kernelSize: kernelSize, padding: (kernelSize - 1) / 2, bias: false).key("conv")
        return try x * conv.forward(pooled).view(n, c, 1, 1).sigmoid()
    }
}
