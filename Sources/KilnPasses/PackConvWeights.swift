import KilnIR

/// Replaces the weight of every scheduled convolution by its packed form, blocked by the
/// schedule's register rows (the layouts templates/conv/conv2d_gemm.c and conv2d_winograd.c read):
///
///     conv2d (%1) consts [w: 64x64x1x1]   ->   consts [packGemm(w, groups 1, rows 6)]
///     conv2d (%2) consts [w: 64x64x3x3]   ->   consts [packWinograd(w, tile 4, rows 6)]   (scheduled .winograd)
public struct PackConvWeights: Pass {
    public static let name = "pack-conv-weights"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        for (id, node) in g.nodes.enumerated() {
            guard case .conv2d(let a, _) = node.op, let schedule = node.schedule else { continue }
            let weight = node.constants[0]
            // The logical shape stays, so verification still checks it; `storageFloats` adds the padding.
            let shape = g.constants[weight].shape
            switch schedule {
            case .gemm(let rows, _, _, _), .gemmChannelLanes(let rows, _, _, _):
                g.nodes[id].constants[0] = g.addConstant(shape, .packGemm(weight, groups: a.groups, rows: rows))
            case .winograd(let tile, let rows, _, _):
                g.nodes[id].constants[0] = g.addConstant(shape, .packWinograd(weight, tile: tile, rows: rows))
            case .direct:
                break  // reads the plain PyTorch layout
            }
        }
        return g
    }
}
