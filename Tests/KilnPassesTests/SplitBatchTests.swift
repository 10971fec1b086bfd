@testable import KilnPasses
import Kiln
import Testing

/// Where the split-batch pass ends the sample loop, and the memory plan it leads to.
struct SplitBatchTests {
    private let zen4 = Target(vectorWidth: 16, l2Bytes: 1 << 20, cacheBytes: 32 << 20, threads: 2, march: "native")

    private func resnet50(batch: Int) throws -> Graph {
        try Pipeline.standard(target: zen4).run(try Tracer.trace(ResNet(), name: "resnet50", input: [batch, 3, 224, 224]))
    }

    @Test func resnet50AtBatch8LoopsOverItsFirstTwoStages() throws {
        let g = try resnet50(batch: 8)
        let loop = try #require(g.sampleLoop)
        #expect(loop.batch == 8)
        for (id, node) in g.nodes.enumerated() where id > 0 {
            // layer1's batched 56² maps (26 MB a tensor) and layer2's 28² ones overflow half the
            // 32 MiB cache; layer4's weights (9 MB a conv) would be read once per sample.
            if node.name.hasPrefix("layer1.") || node.name.hasPrefix("layer2.") || node.name == "conv1" {
                #expect(loop.contains(id), "\(node.name) runs batched")
            }
            if node.name.hasPrefix("layer4.") || node.name == "fc" { #expect(!loop.contains(id), "\(node.name) runs per sample") }
        }
        // The loop's buffers hold one sample: the arena shrinks.
        let batched = try Pipeline.standard(target: zen4, splitBatch: false).run(try Tracer.trace(ResNet(), name: "resnet50", input: [8, 3, 224, 224]))
        let (looped, whole) = (try #require(g.memory), try #require(batched.memory))
        #expect(looped.arenaFloats < whole.arenaFloats)
    }

    @Test func batchOneAndBigCachesRunBatched() throws {
        #expect(try resnet50(batch: 1).sampleLoop == nil)
        var huge = zen4
        huge.cacheBytes = 1 << 40
        let g = try Pipeline.standard(target: huge).run(try Tracer.trace(ResNet(), name: "resnet50", input: [8, 3, 224, 224]))
        #expect(g.sampleLoop == nil)
    }

    @Test func anOpAcrossTheBatchEndsTheLoop() throws {
        let s: Shape = [4, 8, 16, 16]
        func graph(_ middle: Op) -> Graph {
            Graph(name: "t", nodes: [
                Node(op: .input, inputs: [], name: "input", shape: s),
                Node(op: .activation(.relu), inputs: [0], name: "a", shape: s),
                Node(op: middle, inputs: [1], name: "b", shape: middle == .permute([1, 0, 2, 3]) ? [8, 4, 16, 16] : s),
                Node(op: .activation(.relu), inputs: [2], name: "c", shape: s),
            ], constants: [], output: 3)
        }
        let pass = SplitBatch(cacheBytes: 1024)
        #expect(try pass.run(graph(.softmax(axis: 0))).sampleLoop?.end == 2)
        #expect(try pass.run(graph(.permute([1, 0, 2, 3]))).sampleLoop?.end == 2)
        #expect(try pass.run(graph(.softmax(axis: 1))).sampleLoop?.end == 4)
    }

    /// No two values live in the same iteration, or across the loop, share bytes (but for a conv
    /// written over the residual it reads last, outside the loop); a loop value read after the
    /// loop is live from its start, since every iteration writes its own slice.
    @Test func loopValuesNeverOverlap() throws {
        let g = try resnet50(batch: 8)
        let plan = try #require(g.memory), loop = try #require(g.sampleLoop), results = g.sampleLoopResults()
        var lastUse = Array(0..<g.nodes.count)
        for (id, node) in g.nodes.enumerated() { for i in node.inputs { lastUse[i] = max(lastUse[i], id) } }
        lastUse[g.output] = g.nodes.count
        func bytes(_ id: Int) -> Range<Int>? {
            guard case .arena(let offset) = plan.storage[id] else { return nil }
            let floats = loop.contains(id) && !results.contains(id) ? g.nodes[id].shape.count / 8 : g.nodes[id].shape.count
            return offset ..< offset + floats
        }
        func live(_ id: Int) -> ClosedRange<Int> { (results.contains(id) ? 1 : id)...lastUse[id] }
        #expect(!results.isEmpty)
        for a in g.nodes.indices { for b in g.nodes.indices where a < b && live(a).overlaps(live(b)) {
            guard let ra = bytes(a), let rb = bytes(b) else { continue }
            let inPlace = !loop.contains(b) && ra == rb && lastUse[a] == b && mayWriteOver(g, b, a)
            #expect(inPlace || !ra.overlaps(rb), "%\(a) and %\(b) overlap while both are live")
        } }
    }
}
