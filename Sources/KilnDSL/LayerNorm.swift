import KilnIR

/// `nn.LayerNorm(normalized_shape, eps)` over one axis: PyTorch's last axis by default, or
/// the channel axis of an NCHW tensor (`dim: 1`), which is what VAN computes on its tokens.
/// Parameters: `weight`, `bias`, each `[features]`.
public struct LayerNorm: Layer {
    public var features: Int
    public var eps: Float
    public var dim: Int

    public init(_ features: Int, eps: Float = 1e-5, dim: Int = -1) {
        (self.features, self.eps, self.dim) = (features, eps, dim)
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let b = x.builder
        let axis = try x.axis(dim)
        guard x.shape[axis] == features else {
            throw IRError.shapeMismatch(layer: b.currentPath, detail: "LayerNorm(\(features)) got \(x.shape[axis]) features on dim \(dim) of \(x.shape)")
        }
        let consts = [try b.parameter("weight", [features]), try b.parameter("bias", [features])]
        return try b.apply(.layerNorm(axis: axis, eps: eps), [x], constants: consts)
    }
}

/// `nn.GroupNorm(num_groups, num_channels, eps)` on NCHW. Parameters: `weight`, `bias`, each `[C]`.
public struct GroupNorm: Layer {
    public var groups, channels: Int
    public var eps: Float

    public init(_ groups: Int, _ channels: Int, eps: Float = 1e-5) {
        (self.groups, self.channels, self.eps) = (groups, channels, eps)
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let b = x.builder
        guard x.shape.rank == 4, x.channels == channels else {
            throw IRError.shapeMismatch(layer: b.currentPath, detail: "GroupNorm expects [N, \(channels), H, W] input, got \(x.shape)")
        }
        let consts = [try b.parameter("weight", [channels]), try b.parameter("bias", [channels])]
        return try b.apply(.groupNorm(groups: groups, eps: eps), [x], constants: consts)
    }
}
