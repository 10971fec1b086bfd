import KilnIR

/// Fuses a residual add into the convolution producing one of its operands, so the sum is
/// formed in the conv's epilogue while the tile is still in registers:
///
///     %5 = conv2d[256, 1x1] (%4)            (%5 dropped)
///     %7 = add (%5, %6)              ->     %7 = conv2d[256, 1x1 +residual] (%4, %6)
///
/// Preconditions: the conv has no other reader and no epilogue yet. The fused node takes the
/// add's place in the order, after both operands exist.
public struct FuseConvEpilogue: Pass {
    public static let name = "fuse-conv-epilogue"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let users = g.users()
        for (id, node) in g.nodes.enumerated() {
            guard case .binary(.add, .none) = node.op, node.inputs.map({ g.nodes[$0].shape }) == [node.shape, node.shape]
            else { continue }
            for (operand, other) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
                guard case .conv2d(var attrs, let hasBias) = g.nodes[operand].op, !attrs.hasResidual,
                      attrs.activation == .none, users[operand] == [id], operand != other else { continue }
                attrs.hasResidual = true
                var fused = g.nodes[operand]
                fused.op = .conv2d(attrs, hasBias: hasBias)
                fused.inputs = [fused.inputs[0], other]
                g.nodes[id] = fused
                break
            }
        }
        return g.compacted()
    }
}
