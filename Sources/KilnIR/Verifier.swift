/// Checks the graph's invariants between passes: topological order, arity, and shapes
/// that agree with shape inference. A failure is a Kiln bug, reported with the pass's name.
public enum Verifier {
    public static func verify(_ g: Graph, after pass: String) throws {
        func fail(_ detail: String) -> IRError { .verificationFailed(pass: pass, detail: detail) }
        guard case .input = g.nodes.first?.op else { throw fail("node 0 is not the input") }
        guard g.output > 0, g.output < g.nodes.count else { throw fail("output \(g.output) out of range") }
        for (id, node) in g.nodes.enumerated() {
            for input in node.inputs where input < 0 || input >= id {
                throw fail("node \(id) '\(node.name)' reads value \(input), not defined before it")
            }
            for c in node.constants where c < 0 || c >= g.constants.count {
                throw fail("node \(id) '\(node.name)' uses missing constant \(c)")
            }
            if id == 0 { continue }
            let shape = try ShapeInference.infer(
                node.op, inputs: node.inputs.map { g.nodes[$0].shape },
                constants: node.constants.map { g.constants[$0].shape }, layer: node.name)
            guard shape == node.shape else {
                throw fail("node '\(node.name)' has shape \(node.shape) but infers \(shape)")
            }
        }
    }
}
