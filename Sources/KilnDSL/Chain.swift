/// Layers applied one after another without adding module names: the body of a `Block`.
public struct Chain: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }
    public init(@LayerBuilder _ content: () -> Chain) { self = content() }

    public func forward(_ x: Tensor) throws -> Tensor {
        try layers.reduce(x) { try $1.forward($0) }
    }
}
