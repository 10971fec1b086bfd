import KilnIR

/// Moves an activation (ReLU, sigmoid, GELU) into the epilogue of the kernel producing its input when nothing else reads
/// that input:
///
///     %7 = conv2d[256 +residual] (%4, %6)         %7 = conv2d[256 +residual relu] (%4, %6)
///     %8 = relu (%7)                        ->    (reads of %8 read %7)
public struct FuseActivation: Pass {
    public static let name = "fuse-activation"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let users = g.users()
        var replacements: [ValueID: ValueID] = [:]
        for (id, node) in g.nodes.enumerated() {
            guard case .activation(let act) = node.op else { continue }
            let source = node.inputs[0]
            guard users[source] == [id], let fused = with(act, g.nodes[source].op) else { continue }
            g.nodes[source].op = fused
            replacements[id] = source
        }
        return g.compacted(replacing: replacements)
    }

    private func with(_ act: Activation, _ op: Op) -> Op? {
        switch op {
        case .conv2d(var attrs, let hasBias) where attrs.activation == .none && !attrs.hasGate:
            attrs.activation = act
            return .conv2d(attrs, hasBias: hasBias)
        case .binary(let op, .none): return .binary(op, act)
        case .mulAdd(.none): return .mulAdd(act)
        case .scaleShift(.none): return .scaleShift(act)
        default: return nil
        }
    }
}
