/// The machine the code is generated for: what the schedule pass tunes to and codegen
/// writes into the C (vector width) and the compiler flags (ISA).
public struct Target: Hashable, Sendable, CustomStringConvertible {
    /// Floats per SIMD register: 16 with AVX-512, 8 with AVX2, 4 otherwise.
    public var vectorWidth: Int
    /// Per-core L2 size in bytes, for cache tiling.
    public var l2Bytes: Int
    /// Last-level (shared) cache size in bytes, for deciding what stays cached between kernels.
    public var cacheBytes: Int
    /// Threads the schedule should expect to feed.
    public var threads: Int
    /// `-march` value for the C compiler (`native` for the JIT).
    public var march: String

    public init(vectorWidth: Int, l2Bytes: Int, cacheBytes: Int = 8 << 20, threads: Int, march: String) {
        self.vectorWidth = vectorWidth
        self.l2Bytes = l2Bytes
        self.cacheBytes = cacheBytes
        self.threads = threads
        self.march = march
    }

    public var description: String { "\(march), \(vectorWidth) floats/vector, L2 \(l2Bytes / 1024) KiB, LLC \(cacheBytes >> 20) MiB, \(threads) threads" }
}
