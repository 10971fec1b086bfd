import KilnIR

/// `nn.Linear(in_features, out_features, bias)`. Parameters: `weight [out, in]`, `bias [out]`.
public struct Linear: Layer {
    public var inFeatures, outFeatures: Int
    public var bias: Bool

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.bias = bias
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let b = x.builder
        guard x.shape.rank == 2, x.shape[1] == inFeatures else {
            throw IRError.shapeMismatch(layer: b.currentPath, detail: "Linear expects [N, \(inFeatures)] input, got \(x.shape)")
        }
        var consts = [try b.parameter("weight", [outFeatures, inFeatures])]
        if bias { consts.append(try b.parameter("bias", [outFeatures])) }
        return try b.apply(.linear(outFeatures: outFeatures, hasBias: bias), [x], constants: consts)
    }
}
