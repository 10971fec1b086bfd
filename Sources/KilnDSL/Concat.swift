/// Applies each branch to the same input and joins the results: `torch.cat([b(x) for b in branches], dim)`.
public struct Concat: Layer {
    public let dim: Int
    public let branches: [any Layer]

    public init(dim: Int = 1, @LayerBuilder _ branches: () -> Chain) {
        self.dim = dim
        self.branches = branches().layers
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.cat(branches.map { try $0.forward(x) }, dim: dim)
    }
}
