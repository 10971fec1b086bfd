import KilnDSL

/// SENet's channel gate (moskomule/senet.pytorch `SELayer`):
/// `x * sigmoid(fc.2(relu(fc.0(gap(x)))))`, both linears without bias.
public struct SqueezeExcitation: Layer {
    public var channels, reduction: Int

    public init(channels: Int, reduction: Int = 16) {
        self.channels = channels
        self.reduction = reduction
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let fc = Sequential {
            Linear(channels, channels / reduction, bias: false)
            ReLU()
            Linear(channels / reduction, channels, bias: false)
            Sigmoid()
        }.key("fc")
        let weights = try fc.forward(try x.globalAvgPool().flatten())
        return try x * weights.view(x.shape[0], channels, 1, 1)
    }
}
