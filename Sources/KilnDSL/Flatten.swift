/// `torch.flatten(x, 1)`: `[N, ...] -> [N, features]`, a view.
public struct Flatten: Layer {
    public init() {}
    public func forward(_ x: Tensor) throws -> Tensor { try x.flatten(from: 1) }
}
