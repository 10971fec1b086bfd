/// Where each constant a graph's nodes read sits in the prepared weight buffer.
/// Offsets are in floats and 64-byte aligned so kernels may use aligned vector loads.
public struct ConstantLayout: Hashable, Sendable {
    public var offsets: [ConstID: Int]
    /// Used constants in buffer order.
    public var order: [ConstID]
    public var totalFloats: Int

    public init(_ g: Graph) {
        var offsets: [ConstID: Int] = [:]
        var order: [ConstID] = []
        var total = 0
        for node in g.nodes {
            for c in node.constants where offsets[c] == nil {
                offsets[c] = total
                order.append(c)
                total += (g.constants[c].storageFloats + 15) / 16 * 16
            }
        }
        self.offsets = offsets
        self.order = order
        self.totalFloats = total
    }
}
