import KilnIR

/// Runs the early layers once per sample instead of once on the whole batch (`Graph.sampleLoop`)
/// where the batch's activations would not stay in the cache between kernels.
///
/// The choice is a traffic model over where the loop ends (any point of the longest prefix of
/// per-sample ops: all but a softmax, norm, concat or slice along the batch, or a permute that
/// moves it). A batched node whose working set (inputs and output, constants aside) exceeds the
/// cache budget moves it all through memory; a node in the loop moves its constants once per
/// sample, less the one pass the batched node makes too. The loop ends where the sum is least,
/// the earliest such point on ties. The budget is half the last-level cache, since weights,
/// scratch and other processes share it: on ResNet-50 at batch 8 the loop then takes layer1
/// and layer2 (whose batched 28² maps are 13 MB a tensor). Batch 1 has nothing to split.
public struct SplitBatch: Pass {
    public static let name = "split-batch"
    /// The last-level cache, of which the model takes half.
    public var cacheBytes: Int
    public init(cacheBytes: Int) { self.cacheBytes = cacheBytes }

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let batch = g.inputShape.rank > 0 ? g.inputShape[0] : 1
        g.sampleLoop = nil
        guard batch > 1 else { return g }
        let budget = cacheBytes / 2
        let prefix = (1..<g.nodes.count).prefix { Self.isPerSample($0, in: g, batch: batch) }
        // cost(end) = sum of loop nodes' repeated constant bytes + later nodes' spilled working sets.
        var cost = (1..<g.nodes.count).map { Self.workingSetBytes($0, in: g) }.filter { $0 > budget }.reduce(0, +)
        var best = (cost: cost, end: 1)
        for id in prefix {
            let spill = Self.workingSetBytes(id, in: g)
            cost += (batch - 1) * Self.constantBytes(id, in: g) - (spill > budget ? spill : 0)
            if cost < best.cost { best = (cost, id + 1) }
        }
        if best.end > 1 { g.sampleLoop = SampleLoop(end: best.end, batch: batch) }
        return g
    }

    static func constantBytes(_ id: ValueID, in g: Graph) -> Int {
        4 * g.nodes[id].constants.map { g.constants[$0].shape.count }.reduce(0, +)
    }

    /// Bytes node `id` reads and writes, constants aside.
    static func workingSetBytes(_ id: ValueID, in g: Graph) -> Int {
        let node = g.nodes[id]
        let reads = node.inputs.filter { !g.isConstant($0) }.map { g.nodes[$0].shape.count }
        return 4 * (node.shape.count + reads.reduce(0, +))
    }

    /// Whether node `id` treats each sample on its own, so that it can run on one at a time.
    static func isPerSample(_ id: ValueID, in g: Graph, batch: Int) -> Bool {
        let node = g.nodes[id]
        if g.isConstant(id) { return true }  // a constant or a view of one: no code runs
        let leadsWithBatch = { (s: Shape) in s.rank > 0 && s[0] == batch }
        guard leadsWithBatch(node.shape) else { return false }
        for input in node.inputs {
            let s = g.nodes[input].shape
            // A constant operand must broadcast over the batch, not index it.
            let fine = g.isConstant(input) ? s.rank < node.shape.rank || s[0] == 1 : leadsWithBatch(s)
            guard fine else { return false }
        }
        switch node.op {
        case .input: return false
        case .softmax(let axis), .layerNorm(let axis, _), .concat(let axis), .slice(let axis, _, _): return axis != 0
        case .permute(let order): return order.first == 0
        default: return true
        }
    }
}
