import KilnIR

/// Folds a per-channel scale on a convolution's output, and the residual added after it, into
/// the convolution (VAN's `y + layer_scale_2 * mlp(y)`, whose last op is fc2):
///
///     %13 = conv2d[32, 1x1 +bias] (%12)                   %14 = conv2d[32, 1x1 +bias +residual] (%12, %11)
///     %14 = mul_add (%5, %13, %11)              ->        (weight and bias scaled by %5's values)
///
/// `s * (W x + b) + r = (s W) x + s b + r`, so the layer scale costs nothing and the block saves
/// a pass over memory. Only for a scale that is a constant of shape `[C, 1, 1]` (or
/// `[1, C, 1, 1]`), on a conv with no epilogue yet and no other reader. Runs after FuseMulAdd
/// and before FuseDepthwisePrologue, which keeps the residual.
public struct FoldLayerScale: Pass {
    public static let name = "fold-layer-scale"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let users = g.users()
        for (id, node) in g.nodes.enumerated() {
            guard case .mulAdd(.none) = node.op else { continue }
            let (scaleValue, conv, residual) = (node.inputs[0], node.inputs[1], node.inputs[2])
            guard case .conv2d(var attrs, let hasBias) = g.nodes[conv].op, !attrs.hasResidual, !attrs.hasGate,
                  attrs.activation == .none, attrs.prologue == nil, users[conv] == [id], conv != g.output,
                  g.nodes[conv].shape == node.shape, g.nodes[residual].shape == node.shape, residual != conv,
                  let scale = channelConstant(scaleValue, channels: attrs.outChannels, in: g)
            else { continue }
            var fused = g.nodes[conv]
            let (weight, bias) = (fused.constants[0], hasBias ? fused.constants[1] : nil)
            fused.constants[0] = g.addConstant(g.constants[weight].shape, .scaleRows(weight, scale: scale))
            if let bias { fused.constants[1] = g.addConstant([attrs.outChannels], .scaleRows(bias, scale: scale)) }
            attrs.hasResidual = true
            fused.op = .conv2d(attrs, hasBias: hasBias)
            fused.inputs = [fused.inputs[0], residual]
            g.nodes[id] = fused  // in the mul_add's place: after the residual exists
        }
        return g.compacted()
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
