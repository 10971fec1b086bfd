import KilnIR

/// Folds an inference BatchNorm into the convolution that feeds it, when the conv has no
/// other reader:
///
///     %1 = conv2d[64, 3x3] (%0)            %1 = conv2d[64, 3x3 +bias] (%0)
///     %2 = batchnorm2d (%1)          ->    (reads of %2 read %1)
///
/// The new weight is `w * s` and the bias `(b - mean) * s + beta` with `s = gamma / sqrt(var + eps)`,
/// recorded as derived constants and evaluated when the weights are prepared.
///
/// Otherwise, when the BatchNorm's only reader is an unpadded conv (VAN's norm2 before the
/// MLP's fc1), it folds into that conv's input side: every tap reads a normalised value
/// `s * x + t`, so the weight becomes `w[o, i] * s[i]` and the bias gains `Σ w[o, i] * t[i]`.
/// (With padding the border taps would read zeros instead of `t`, so padded convs keep it.)
public struct FoldBatchNorm: Pass {
    public static let name = "fold-batchnorm"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let users = g.users()
        var replacements: [ValueID: ValueID] = [:]
        for (id, node) in g.nodes.enumerated() {
            guard case .batchNorm2d(let eps) = node.op else { continue }
            let (gamma, beta, mean, variance) = (node.constants[0], node.constants[1], node.constants[2], node.constants[3])
            func scaleAndShift(_ channels: Shape) -> (ConstID, ConstID) {
                (g.addConstant(channels, .bnScale(gamma: gamma, variance: variance, eps: eps)),
                 g.addConstant(channels, .bnShift(gamma: gamma, beta: beta, mean: mean, variance: variance, eps: eps)))
            }
            let source = node.inputs[0]
            if case .conv2d(let attrs, let hasBias) = g.nodes[source].op, !attrs.hasResidual, attrs.activation == .none,
               users[source] == [id] {
                let (scale, shift) = scaleAndShift([attrs.outChannels])
                let weight = g.nodes[source].constants[0]
                let newWeight = g.addConstant(g.constants[weight].shape, .scaleRows(weight, scale: scale))
                let newBias = g.addConstant([attrs.outChannels], .affineBias(bias: hasBias ? g.nodes[source].constants[1] : nil,
                                                                               scale: scale, shift: shift))
                g.nodes[source].op = .conv2d(attrs, hasBias: true)
                g.nodes[source].constants = [newWeight, newBias]
                replacements[id] = source
            } else if users[id].count == 1, g.canFoldAffineInput(of: users[id][0], from: id) {
                let (scale, shift) = scaleAndShift([node.shape[1]])
                g.foldAffineInput(into: users[id][0], scale: scale, shift: shift)
                replacements[id] = source
            }
        }
        return g.compacted(replacing: replacements)
    }
}

extension Graph {
    /// Whether `reader` is an unpadded conv whose only input is `value` (no residual or gate),
    /// so a per-channel `s * value + t` folds into its weights (see FoldBatchNorm).
    func canFoldAffineInput(of reader: ValueID, from value: ValueID) -> Bool {
        guard case .conv2d(let attrs, _) = nodes[reader].op else { return false }
        return nodes[reader].inputs == [value] && attrs.prologue == nil && attrs.padH == 0 && attrs.padW == 0 && value != output
    }

    /// Makes conv `reader` compute `conv(scale * x + shift)` from `x`: the weight becomes
    /// `w[o, i] * scale[i]` and the bias gains `Σ w[o, i] * shift[i]`.
    mutating func foldAffineInput(into reader: ValueID, scale: ConstID, shift: ConstID) {
        guard case .conv2d(let attrs, let hasBias) = nodes[reader].op else { preconditionFailure("not a conv") }
        let weight = nodes[reader].constants[0]
        let newWeight = addConstant(constants[weight].shape, .scaleColumns(weight, scale: scale, groups: attrs.groups))
        let newBias = addConstant([attrs.outChannels], .shiftedBias(weight: weight, bias: hasBias ? nodes[reader].constants[1] : nil,
                                                                   shift: shift, groups: attrs.groups))
        nodes[reader].op = .conv2d(attrs, hasBias: true)
        nodes[reader].constants = [newWeight, newBias]
    }
}
