/// A prefix of the graph that runs once per sample of the batch instead of once on the whole
/// batch: nodes `1..<end` run for sample 0, then again for sample 1, and so on, on batch-1
/// shapes, before the rest of the graph runs batched. Set by the split-batch pass.
///
/// Why: a batched early layer's activations (ResNet's 56² maps at batch 8 are 26 MB a tensor)
/// overflow the cache between one kernel and the next, while one sample's stay in it; late
/// layers are the other way round, their weights outweigh one sample's activations.
///
/// Values made in the loop and read only in it hold one sample and are reused by the next;
/// the input and the values the rest of the graph reads (the loop's results) hold the whole
/// batch, and each iteration reads or writes its own sample's slice of them.
public struct SampleLoop: Hashable, Sendable {
    /// One past the last node in the loop.
    public var end: ValueID
    public var batch: Int

    public init(end: ValueID, batch: Int) {
        self.end = end
        self.batch = batch
    }

    /// Whether node `id` runs in the loop (the input, node 0, is read by it but runs nowhere).
    public func contains(_ id: ValueID) -> Bool { id >= 1 && id < end }
}

extension Graph {
    /// The graph as one iteration of the sample loop sees it: the input and every loop node with
    /// the batch as its leading dim take batch 1 (constants keep their shapes). Schedules and
    /// kernels of loop nodes are chosen and instantiated on this view.
    public func sampleLoopBody() -> Graph {
        guard let loop = sampleLoop else { return self }
        var body = self
        for id in 0..<loop.end where !isConstant(id) && nodes[id].shape.rank > 0 && nodes[id].shape[0] == loop.batch {
            var dims = nodes[id].shape.dims
            dims[0] = 1
            body.nodes[id].shape = Shape(dims)
        }
        return body
    }

    /// The loop's results: the loop values (views' roots) read after the loop or returned, which
    /// hold the whole batch. Empty without a loop.
    public func sampleLoopResults() -> Set<ValueID> {
        guard let loop = sampleLoop else { return [] }
        var results = Set<ValueID>()
        for reader in nodes[loop.end...].flatMap(\.inputs) + [output] where loop.contains(viewRoot(reader)) {
            results.insert(viewRoot(reader))
        }
        return results
    }

    /// The value whose storage `id` shares: itself, or for a view, its source's root.
    public func viewRoot(_ id: ValueID) -> ValueID {
        var v = id
        while nodes[v].op.isView { v = nodes[v].inputs[0] }
        return v
    }

    /// Whether value `id` is a constant or a view of one.
    public func isConstant(_ id: ValueID) -> Bool { nodes[viewRoot(id)].op == .constant }
}
