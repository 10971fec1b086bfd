/// A static-shape dataflow graph in topological order. `nodes[0]` is the input.
public struct Graph: Hashable, Sendable {
    public var name: String
    public var nodes: [Node]
    public var constants: [Constant]
    public var output: ValueID
    /// Where each value lives; set by the memory planning pass.
    public var memory: MemoryPlan?
    /// The prefix that runs once per sample; set by the split-batch pass (nil: all batched).
    public var sampleLoop: SampleLoop?

    public init(name: String, nodes: [Node], constants: [Constant], output: ValueID) {
        self.name = name
        self.nodes = nodes
        self.constants = constants
        self.output = output
    }

    public var inputShape: Shape { nodes[0].shape }
    public var outputShape: Shape { nodes[output].shape }

    /// Every checkpoint key the model expects, in first-use order.
    public var parameterKeys: [(key: String, shape: Shape)] {
        constants.compactMap {
            if case .parameter(let key) = $0.source { return (key, $0.shape) }
            return nil
        }
    }

    /// For each value, the nodes that read it.
    public func users() -> [[ValueID]] {
        var users = Array(repeating: [ValueID](), count: nodes.count)
        for (id, node) in nodes.enumerated() {
            for input in node.inputs { users[input].append(id) }
        }
        return users
    }

    /// Appends a constant and returns its id.
    public mutating func addConstant(_ shape: Shape, _ source: ConstSource) -> ConstID {
        constants.append(Constant(shape: shape, source: source))
        return constants.count - 1
    }

    /// Drops nodes that do not reach the output, renumbering the rest. Nodes listed in
    /// `replacements` are first redirected: every read of key is a read of value.
    public func compacted(replacing replacements: [ValueID: ValueID] = [:]) -> Graph {
        func resolve(_ v: ValueID) -> ValueID {
            var v = v
            while let r = replacements[v] { v = r }
            return v
        }
        var live = Array(repeating: false, count: nodes.count)
        live[0] = true
        live[resolve(output)] = true
        for id in stride(from: nodes.count - 1, through: 0, by: -1) where live[id] {
            for input in nodes[id].inputs { live[resolve(input)] = true }
        }
        var newID = Array(repeating: -1, count: nodes.count)
        var out = self
        out.nodes = []
        out.memory = nil
        out.sampleLoop = nil
        for (id, node) in nodes.enumerated() where live[id] {
            var node = node
            node.inputs = node.inputs.map { newID[resolve($0)] }
            newID[id] = out.nodes.count
            out.nodes.append(node)
        }
        out.output = newID[resolve(output)]
        return out
    }
}
