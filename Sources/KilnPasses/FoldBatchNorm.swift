import KilnIR

/// Folds an inference BatchNorm into the convolution that feeds it, when the conv has no
/// other reader:
///
///     %1 = conv2d[64, 3x3] (%0)            %1 = conv2d[64, 3x3 +bias] (%0)
///     %2 = batchnorm2d (%1)          ->    (reads of %2 read %1)
///
/// The new weight is `w * s` and the bias `(b - mean) * s + beta` with `s = gamma / sqrt(var + eps)`,
/// recorded as derived constants and evaluated when the weights are prepared.
public struct FoldBatchNorm: Pass {
    public static let name = "fold-batchnorm"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let users = g.users()
        var replacements: [ValueID: ValueID] = [:]
        for (id, node) in g.nodes.enumerated() {
            guard case .batchNorm2d(let eps) = node.op else { continue }
            let convID = node.inputs[0]
            let conv = g.nodes[convID]
            guard case .conv2d(let attrs, let hasBias) = conv.op, !attrs.hasResidual, attrs.activation == .none,
                  users[convID] == [id] else { continue }
            let (gamma, beta, mean, variance) = (node.constants[0], node.constants[1], node.constants[2], node.constants[3])
            let channels: Shape = [attrs.outChannels]
            let scale = g.addConstant(channels, .bnScale(gamma: gamma, variance: variance, eps: eps))
            let shift = g.addConstant(channels, .bnShift(gamma: gamma, beta: beta, mean: mean, variance: variance, eps: eps))
            let weight = conv.constants[0]
            let newWeight = g.addConstant(g.constants[weight].shape, .scaleRows(weight, scale: scale))
            let newBias = g.addConstant(channels, .affineBias(bias: hasBias ? conv.constants[1] : nil, scale: scale, shift: shift))
            g.nodes[convID].op = .conv2d(attrs, hasBias: true)
            g.nodes[convID].constants = [newWeight, newBias]
            replacements[id] = convID
        }
        return g.compacted(replacing: replacements)
    }
}
