import KilnIR

/// `nn.BatchNorm2d(num_features, eps)` in eval mode (running statistics).
/// Parameters: `weight`, `bias`, `running_mean`, `running_var`, each `[C]`.
public struct BatchNorm2d: Layer {
    public var numFeatures: Int
    public var eps: Float

    public init(_ numFeatures: Int, eps: Float = 1e-5) {
        self.numFeatures = numFeatures
        self.eps = eps
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let b = x.builder
        guard x.shape.rank == 4, x.channels == numFeatures else {
            throw IRError.shapeMismatch(layer: b.currentPath, detail: "BatchNorm2d expects [N, \(numFeatures), H, W] input, got \(x.shape)")
        }
        let consts = try ["weight", "bias", "running_mean", "running_var"].map { try b.parameter($0, [numFeatures]) }
        return try b.apply(.batchNorm2d(eps: eps), [x], constants: consts)
    }
}
