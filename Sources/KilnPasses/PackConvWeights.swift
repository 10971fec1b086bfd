import KilnIR

/// Replaces the weight of every scheduled GEMM convolution by its packed form, blocked by
/// the schedule's register rows (the layout templates/conv/conv2d_gemm.c reads):
///
///     conv2d (%1) consts [w: 64x64x3x3]   ->   consts [packGemm(w, groups 1, rows 6)]
public struct PackConvWeights: Pass {
    public static let name = "pack-conv-weights"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        for (id, node) in g.nodes.enumerated() {
            guard case .conv2d(let a, _) = node.op, case .gemm(let rows, _, _, _)? = node.schedule else { continue }
            let weight = node.constants[0]
            // The logical shape stays, so verification still checks it; `storageFloats` adds the padding.
            let shape = g.constants[weight].shape
            g.nodes[id].constants[0] = g.addConstant(shape, .packGemm(weight, groups: a.groups, rows: rows))
        }
        return g
    }
}
