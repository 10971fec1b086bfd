import KilnIR

/// A value flowing through a network while it is traced. Layers compose tensors with the
/// operations below; each records one IR node in the builder it belongs to.
public struct Tensor {
    public let id: ValueID
    public let shape: Shape
    public unowned let builder: GraphBuilder

    public var channels: Int { shape.rank > 1 ? shape[1] : 0 }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        try a.builder.apply(.add(.none), [a, b])
    }

    public func relu() throws -> Tensor { try builder.apply(.relu, [self]) }
}

/// Traces a layer on an input of the given shape into a graph.
public enum Tracer {
    /// - Throws: `IRError` naming the layer whose shapes, attributes or names are wrong.
    public static func trace(_ layer: some Layer, name: String, input: Shape) throws -> Graph {
        let builder = GraphBuilder(input: input)
        let output = try layer.forward(builder.input)
        return builder.graph(name: name, output: output)
    }
}
