import KilnIR

/// Merges a multiply whose only reader is an add into one multiply-add pass, so a gate or a
/// layer scale and the residual after it cost one trip through memory instead of two:
///
///     %13 = mul (%5, %12)    : [1, 256, 56, 56]          %14 = mul_add[relu] (%5, %12, %3)
///     %14 = add[relu] (%13, %3)                    ->
///
/// SE/ECA's gate then the block's residual, SA-Net's `sweight * gn(x) + sbias` before its
/// sigmoid, VAN's `x + layer_scale * f(x)`. Only when the product already has the sum's shape,
/// so broadcasting means the same thing in both forms. Runs after FuseActivation: the add's
/// activation comes along.
public struct FuseMulAdd: Pass {
    public static let name = "fuse-mul-add"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let users = g.users()
        for (id, node) in g.nodes.enumerated() {
            guard case .binary(.add, let act) = node.op else { continue }
            for (side, product) in node.inputs.enumerated() {
                guard case .binary(.mul, .none) = g.nodes[product].op, users[product] == [id],
                      g.nodes[product].shape == node.shape else { continue }
                g.nodes[id].op = .mulAdd(act)
                g.nodes[id].inputs = g.nodes[product].inputs + [node.inputs[1 - side]]
                break
            }
        }
        return g.compacted()  // drops the products nothing reads any more
    }
}
