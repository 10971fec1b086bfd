/// Where each value of a graph is stored when the model runs.
public struct MemoryPlan: Hashable, Sendable {
    public enum Storage: Hashable, Sendable {
        /// The caller's input buffer.
        case input
        /// The caller's output buffer.
        case output
        /// `arena + offset` (in floats).
        case arena(offset: Int)
        /// A learned tensor in the prepared weight buffer.
        case constant(ConstID)
        /// Shares the storage of another value (a view such as flatten).
        case alias(of: ValueID)
    }

    public var storage: [Storage]
    /// Size of the activation arena in floats.
    public var arenaFloats: Int
    /// Sum of all planned activations' sizes in floats, for reporting reuse.
    public var totalActivationFloats: Int

    public init(storage: [Storage], arenaFloats: Int, totalActivationFloats: Int) {
        self.storage = storage
        self.arenaFloats = arenaFloats
        self.totalActivationFloats = totalActivationFloats
    }
}
