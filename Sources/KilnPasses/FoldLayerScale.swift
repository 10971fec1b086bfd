import KilnIR

/// Folds a per-channel scale on a convolution's output, and the residual added after it, into
/// the convolution. VAN's MLP half, `y + ls2 * fc2(..)`:
///
///     %13 = conv2d[32, 1x1 +bias] (%12)                   %14 = conv2d[32, 1x1 +bias +residual] (%12, %11)
///     %14 = mul_add (%5, %13, %11)              ->        (weight and bias scaled by %5's values)
///
/// `s * (W u + b) + r = (s W) u + s b + r`. Its attention half, `x + ls1 * (proj_2(..) + z)`
/// with `z = a * x + t` the lowered norm1, when proj_2 is a 1×1 (a GEMM):
///
///     %4 = scale_shift (%1)                               %5 = conv2d[32, 1x1 +bias gelu] (%1)  (norm1 folded in)
///     %5 = conv2d[32, 1x1 +bias gelu] (%4)        ->      ...
///     %8 = conv2d[32, 1x1 +bias +residual] (%7, %4)       %9 = conv2d[32, 1x1 +bias +scaled residual] (%7, %1)
///     %9 = mul_add (%3, %8, %1)
///
/// `x + s (W u + b + a x + t) = (s W) u + s (b + t) + (s a + 1) x`, so the residual is x itself,
/// scaled per channel, and when proj_1 is then z's only reader the norm folds into it too
/// (FoldBatchNorm's input side): the block loses a mul_add and a scale_shift, two passes over
/// memory. Only for a scale that is a constant of shape `[C, 1, 1]` (or `[1, C, 1, 1]`), on a
/// conv with no activation or gate and no other reader. Runs after FuseMulAdd and before
/// FuseDepthwisePrologue.
public struct FoldLayerScale: Pass {
    public static let name = "fold-layer-scale"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        var users = g.users()
        var replacements: [ValueID: ValueID] = [:]
        for (id, node) in g.nodes.enumerated() {
            guard case .mulAdd(.none) = node.op else { continue }
            let (scaleValue, conv, residual) = (node.inputs[0], node.inputs[1], node.inputs[2])
            guard case .conv2d(var attrs, let hasBias) = g.nodes[conv].op, !attrs.hasGate, !attrs.residualScale,
                  attrs.activation == .none, attrs.prologue == nil, users[conv] == [id], conv != g.output,
                  g.nodes[conv].shape == node.shape, g.nodes[residual].shape == node.shape, residual != conv,
                  let scale = channelConstant(scaleValue, channels: attrs.outChannels, in: g)
            else { continue }
            // With a residual: only the lowered norm of the block's input, on a 1x1 (a GEMM, which
            // has the scaled epilogue).
            let norm = attrs.hasResidual ? g.nodes[conv].inputs[1] : nil
            if let norm {
                guard case .scaleShift(.none) = g.nodes[norm].op, g.nodes[norm].inputs == [residual],
                      attrs.kernelH == 1, attrs.kernelW == 1, attrs.groups == 1 else { continue }
            }
            var fused = g.nodes[conv]
            let weight = fused.constants[0], bias = hasBias ? fused.constants[1] : nil
            fused.constants[0] = g.addConstant(g.constants[weight].shape, .scaleRows(weight, scale: scale))
            fused.inputs = [fused.inputs[0], residual]
            if let norm {
                let (a, t) = (g.nodes[norm].constants[0], g.nodes[norm].constants[1])
                fused.constants = [fused.constants[0],
                                   g.addConstant([2, attrs.outChannels], .scaledResidualBias(bias: bias, layerScale: scale, normScale: a, normShift: t))]
                attrs.residualScale = true
                users[norm].removeAll { $0 == conv }
                if users[norm].count == 1, g.canFoldAffineInput(of: users[norm][0], from: norm) {
                    g.foldAffineInput(into: users[norm][0], scale: a, shift: t)
                    replacements[norm] = residual
                }
            } else if let bias {
                fused.constants[1] = g.addConstant([attrs.outChannels], .scaleRows(bias, scale: scale))
            }
            attrs.hasResidual = true
            fused.op = .conv2d(attrs, hasBias: hasBias || attrs.residualScale)
            g.nodes[id] = fused  // in the mul_add's place: after the residual exists
        }
        return g.compacted(replacing: replacements)
    }

    /// The constant behind `value` (through reshapes) when it holds one value per channel,
    /// shaped to broadcast along C of an NCHW tensor.
    private func channelConstant(_ value: ValueID, channels: Int, in g: Graph) -> ConstID? {
        var v = value
        let shape = g.nodes[v].shape
        guard shape == [channels, 1, 1] || shape == [1, channels, 1, 1] else { return nil }
        while case .reshape = g.nodes[v].op { v = g.nodes[v].inputs[0] }
        guard case .constant = g.nodes[v].op, g.nodes[v].shape.count == channels else { return nil }
        return g.nodes[v].constants[0]
    }
}
