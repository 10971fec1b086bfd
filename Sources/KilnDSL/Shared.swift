/// A module whose parameters are shared by every application, like a PyTorch module
/// called several times in one `forward` (EPSANet's `se`, applied to all four branches).
///
///     let se = Shared(SEWeightModule(channels: c).key("se"))
///     let weights = try branches.map { try se.forward($0) }   // one se.fc1.weight for all
public struct Shared<Wrapped: Layer>: Layer {
    public let layer: Wrapped
    public init(_ layer: Wrapped) { self.layer = layer }

    public func forward(_ x: Tensor) throws -> Tensor {
        try x.builder.reusingParameters { try layer.forward(x) }
    }
}
