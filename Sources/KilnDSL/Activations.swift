/// `nn.ReLU()`.
public struct ReLU: Layer {
    public init() {}
    public func forward(_ x: Tensor) throws -> Tensor { try x.relu() }
}

/// `nn.Sigmoid()`.
public struct Sigmoid: Layer {
    public init() {}
    public func forward(_ x: Tensor) throws -> Tensor { try x.sigmoid() }
}

/// `nn.GELU()`: the exact form with erf, PyTorch's default.
public struct GELU: Layer {
    public init() {}
    public func forward(_ x: Tensor) throws -> Tensor { try x.gelu() }
}

/// `nn.Softmax(dim)`.
public struct Softmax: Layer {
    public var dim: Int
    public init(dim: Int) { self.dim = dim }
    public func forward(_ x: Tensor) throws -> Tensor { try x.softmax(dim: dim) }
}

/// `nn.Identity()`: the empty layer, useful as a branch.
public struct Identity: Layer {
    public init() {}
    public func forward(_ x: Tensor) throws -> Tensor { x }
}
