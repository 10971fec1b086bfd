import KilnIR

/// Assigns every activation a place in one arena, reusing memory between values whose
/// lifetimes do not overlap (greedy by size: largest first, lowest offset that fits).
///
///     %1 [1,64,112,112] live 1...2   -> arena+0
///     %2 [1,64,56,56]   live 2...4   -> arena+802816
///     %3 [1,64,56,56]   live 3...4   -> arena+0        (reuses %1's space)
///
/// The input and output stay in the caller's buffers; views share their source's storage.
/// A value and the inputs of the node that makes it overlap in time, so a kernel never writes
/// over what it reads, but for one case: an element-wise node (binary.c, unary.c read each
/// element before they write that index), or a GEMM conv's residual or gate (conv2d_gemm.c
/// reads it at each output's index just before writing there), or a stride-1 depthwise conv's
/// input (conv2d_depthwise.c copies each plane to scratch before writing its output), takes the
/// place of an operand of its own shape that no later node reads. Its stores then land on lines
/// that operand just brought into cache, not on lines that may be in no cache, or in the other
/// core's: ECA-ResNet-50's gate-and-residual pass over a 56² map took 0.05 instead of 0.15–0.40 ms
/// in the network, VAN-b1's 14² MLP dwconv 0.065 instead of 0.29 in the VM's slow state.
public struct PlanMemory: Pass {
    public static let name = "plan-memory"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let n = g.nodes.count
        var storage = Array(repeating: MemoryPlan.Storage.arena(offset: 0), count: n)
        let root = g.nodes.indices.map(g.viewRoot)
        for (id, node) in g.nodes.enumerated() where node.op.isView { storage[id] = .alias(of: root[id]) }
        for (id, node) in g.nodes.enumerated() where node.op == .constant {
            storage[id] = .constant(node.constants[0])
        }
        storage[0] = .input
        // Lifetime of each root: from its definition to the last read of it or of any view of it.
        var lastUse = Array(0..<n)
        for (id, node) in g.nodes.enumerated() {
            for input in node.inputs { lastUse[root[input]] = max(lastUse[root[input]], id) }
        }
        lastUse[root[g.output]] = n
        // The output is written straight into the caller's buffer, unless it is the input or a constant
        // (then codegen copies it there).
        if case .arena = storage[root[g.output]] { storage[root[g.output]] = .output }

        let planned = (1..<n).filter { root[$0] == $0 && storage[$0] == .arena(offset: 0) }
        let sharing = inPlace(g, planned: Set(planned), lastUse: lastUse)
        var placed: [(offset: Int, size: Int, first: Int, last: Int)] = []
        var arena = 0, total = 0
        // In a sample loop, a value only the loop reads holds one sample, and a loop value read
        // after it is live from the loop's start: later iterations must not overwrite earlier slices.
        var floats = g.nodes.map(\.shape.count), firstUse = Array(0..<n)
        if let loop = g.sampleLoop {
            let results = g.sampleLoopResults()
            for id in planned where loop.contains(id) {
                if results.contains(id) { firstUse[id] = 1 } else { floats[id] /= loop.batch }
            }
        }
        for id in planned { total += (g.nodes[id].shape.count + 15) / 16 * 16 }
        // A value written in place is placed with the operand it replaces, as one block live over both.
        var members: [Int: [Int]] = [:]
        for id in planned { members[sharing[id] ?? id, default: []].append(id) }
        for id in planned.filter({ sharing[$0] == nil }).sorted(by: { (floats[$0], -$0) > (floats[$1], -$1) }) {
            let group = members[id]!
            let size = (group.map { floats[$0] }.max()! + 15) / 16 * 16
            let first = group.map { firstUse[$0] }.min()!, last = group.map { lastUse[$0] }.max()!
            let overlapping = placed.filter { $0.first <= last && first <= $0.last }.sorted { $0.offset < $1.offset }
            var offset = 0
            for block in overlapping where block.offset < offset + size {
                offset = max(offset, block.offset + block.size)
            }
            placed.append((offset, size, first, last))
            for member in group { storage[member] = .arena(offset: offset) }
            arena = max(arena, offset + size)
        }
        g.memory = MemoryPlan(storage: storage, arenaFloats: arena, totalActivationFloats: total)
        return g
    }

    /// For each element-wise value that can take an operand's place, the value whose block it
    /// shares (following chains: an operand that itself took another's place). Operands must be
    /// planned values (not views, the input or constants) of the same shape, last read here, and
    /// outside a sample loop, whose slices are sized per sample.
    func inPlace(_ g: Graph, planned: Set<ValueID>, lastUse: [Int]) -> [ValueID: ValueID] {
        var sharing: [ValueID: ValueID] = [:]
        for (id, node) in g.nodes.enumerated() where planned.contains(id) {
            guard g.sampleLoop.map({ !$0.contains(id) }) ?? true else { continue }
            let operand = node.overwritableInputs.first { x in
                planned.contains(x) && lastUse[x] == id && g.nodes[x].shape == node.shape
                    && (g.sampleLoop.map { !$0.contains(x) } ?? true)
            }
            if let operand { sharing[id] = sharing[operand] ?? operand }
        }
        return sharing
    }
}

extension Node {
    /// The inputs this node's kernel may write over: any operand of an element-wise op (binary.c,
    /// unary.c read each element before writing that index); a GEMM conv's residual or gate
    /// (conv2d_gemm.c reads it at each output's index just before storing there), never its input,
    /// which the tiles pack or read across many outputs; a stride-1 depthwise conv's input
    /// (conv2d_depthwise.c copies a plane before writing it; other strides read x row by row).
    var overwritableInputs: [ValueID] {
        switch op {
        case .activation, .binary, .mulAdd:
            return inputs
        case .conv2d(let a, _) where schedule == nil && a.groups > 1 && a.groups == a.outChannels
            && a.strideH == 1 && a.strideW == 1:
            return inputs.dropFirst().contains(inputs[0]) ? [] : [inputs[0]]  // never its residual too
        case .conv2d(let a, _) where a.hasResidual || a.hasGate:
            switch schedule {
            case .gemm?, .gemmChannelLanes?: return inputs.dropFirst().filter { $0 != inputs[0] }
            default: return []
            }
        default:
            return []
        }
    }
}
