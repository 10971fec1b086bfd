import KilnIR

/// Fuses an elementwise gate into the 1×1 conv producing the gated tensor, so the product is
/// formed in the conv's epilogue while the tile is still in registers:
///
///     %9  = conv2d[64, 1x1 +bias] (%8)           (%9 dropped)
///     %10 = mul (%6, %9)                   ->    %10 = conv2d[64, 1x1 +bias *gate] (%8, %6)
///
/// VAN's large-kernel attention, `u * attn`, where `attn` is conv1's output. Only 1×1 stride-1
/// ungrouped convs (always scheduled as a GEMM, the one kernel with a gate), read by nothing
/// else, without a residual; both operands the same shape. Runs after FuseActivation, so the
/// conv's activation is applied before the gate, as in `u * act(conv(x))`, and no later
/// activation is folded past it.
public struct FuseConvGate: Pass {
    public static let name = "fuse-conv-gate"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let users = g.users()
        for (id, node) in g.nodes.enumerated() {
            guard case .binary(.mul, .none) = node.op, node.inputs.map({ g.nodes[$0].shape }) == [node.shape, node.shape]
            else { continue }
            for (operand, gate) in [(node.inputs[1], node.inputs[0]), (node.inputs[0], node.inputs[1])] {
                guard case .conv2d(var attrs, let hasBias) = g.nodes[operand].op, !attrs.hasResidual, !attrs.hasGate,
                      attrs.isPlainPointwise, attrs.groups == 1,
                      users[operand] == [id], operand != gate, operand != g.output else { continue }
                attrs.hasGate = true
                var fused = g.nodes[operand]
                fused.op = .conv2d(attrs, hasBias: hasBias)
                fused.inputs = [fused.inputs[0], gate]
                g.nodes[id] = fused
                break
            }
        }
        return g.compacted()
    }
}
