import KilnIR

/// Turns every BatchNorm left after folding into a per-channel scale and shift:
///
///     %2 = batchnorm2d (%1)   ->   %2 = scale_shift (%1)
///
/// with `scale = gamma / sqrt(var + eps)` and `shift = beta - mean * scale` as derived constants.
public struct LowerBatchNorm: Pass {
    public static let name = "lower-batchnorm"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        for (id, node) in g.nodes.enumerated() {
            guard case .batchNorm2d(let eps) = node.op else { continue }
            let (gamma, beta, mean, variance) = (node.constants[0], node.constants[1], node.constants[2], node.constants[3])
            let channels = g.constants[gamma].shape
            let scale = g.addConstant(channels, .bnScale(gamma: gamma, variance: variance, eps: eps))
            let shift = g.addConstant(channels, .bnShift(gamma: gamma, beta: beta, mean: mean, variance: variance, eps: eps))
            g.nodes[id].op = .scaleShift(.none)
            g.nodes[id].constants = [scale, shift]
        }
        return g
    }
}
