/// `nn.ReLU()`.
public struct ReLU: Layer {
    public init() {}
    public func forward(_ x: Tensor) throws -> Tensor { try x.relu() }
}
