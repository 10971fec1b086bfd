import KilnIR

/// A value flowing through a network while it is traced. Layers compose tensors with the
/// operations below, named after their PyTorch counterparts; each records IR nodes in the
/// builder it belongs to, and a shape error names the module being traced.
public struct Tensor {
    public let id: ValueID
    public let shape: Shape
    public unowned let builder: GraphBuilder

    public var channels: Int { shape.rank > 1 ? shape[1] : 0 }

    /// `a + b` with broadcasting.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.builder.apply(.binary(.add, .none), [a, b]) }
    /// `a * b` with broadcasting (attention gates, layer scales).
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.builder.apply(.binary(.mul, .none), [a, b]) }

    public func relu() throws -> Tensor { try builder.apply(.activation(.relu), [self]) }
    public func sigmoid() throws -> Tensor { try builder.apply(.activation(.sigmoid), [self]) }
    /// The exact (erf) GELU.
    public func gelu() throws -> Tensor { try builder.apply(.activation(.gelu), [self]) }
    public func softmax(dim: Int) throws -> Tensor { try builder.apply(.softmax(axis: try axis(dim)), [self]) }
    /// `adaptive_avg_pool2d(x, 1)`: `[N, C, H, W] -> [N, C, 1, 1]`.
    public func globalAvgPool() throws -> Tensor { try builder.apply(.globalAvgPool, [self]) }

    /// `x.view(shape)`; one dimension may be -1.
    public func view(_ dims: Int...) throws -> Tensor { try view(dims) }
    public func view(_ dims: [Int]) throws -> Tensor {
        var dims = dims
        if let hole = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
            dims[hole] = known > 0 && shape.count % known == 0 ? shape.count / known : 0
        }
        return try builder.apply(.reshape(Shape(dims)), [self])
    }
    /// `torch.flatten(x, start)`.
    public func flatten(from start: Int = 1) throws -> Tensor {
        try view(Array(shape.dims[..<start]) + [shape.dims[start...].reduce(1, *)])
    }
    public func permute(_ order: Int...) throws -> Tensor { try builder.apply(.permute(order), [self]) }
    public func transpose(_ a: Int, _ b: Int) throws -> Tensor {
        var order = Array(0..<shape.rank)
        order.swapAt(try axis(a), try axis(b))
        return try builder.apply(.permute(order), [self])
    }
    /// `x.narrow(dim, start, length)`, i.e. `x[:, start:start+length]` for dim 1.
    public func narrow(_ dim: Int, start: Int, length: Int) throws -> Tensor {
        try builder.apply(.slice(axis: try axis(dim), start: start, end: start + length), [self])
    }
    /// `x.chunk(chunks, dim)` for sizes that divide evenly.
    public func chunk(_ chunks: Int, dim: Int) throws -> [Tensor] {
        let d = try axis(dim), size = shape[d] / max(chunks, 1)
        guard chunks > 0, size * chunks == shape[d] else {
            throw IRError.shapeMismatch(layer: builder.currentPath, detail: "cannot split \(shape) into \(chunks) equal chunks along \(dim)")
        }
        return try (0..<chunks).map { try narrow(d, start: $0 * size, length: size) }
    }
    /// ShuffleNet's channel shuffle: `view(b, g, c/g, h, w).transpose(1, 2).reshape(b, c, h, w)`.
    public func channelShuffle(groups: Int) throws -> Tensor {
        let (b, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        return try view(b, groups, c / groups, h, w).transpose(1, 2).view(b, c, h, w)
    }

    /// `torch.cat(tensors, dim)`.
    public static func cat(_ tensors: [Tensor], dim: Int) throws -> Tensor {
        guard let first = tensors.first else { preconditionFailure("cat of no tensors") }
        return try first.builder.apply(.concat(axis: try first.axis(dim)), tensors)
    }

    /// A negative dim counts from the end, as in PyTorch.
    func axis(_ dim: Int) throws -> Int {
        let a = dim < 0 ? dim + shape.rank : dim
        guard a >= 0, a < shape.rank else {
            throw IRError.shapeMismatch(layer: builder.currentPath, detail: "dim \(dim) is out of range for \(shape)")
        }
        return a
    }
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
