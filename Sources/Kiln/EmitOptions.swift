import KilnIR

/// How `LibraryEmitter` writes a model as a standalone C library (`kiln emit`).
public struct EmitOptions: Sendable {
    /// Which CPUs the emitted C may assume.
    public enum TargetCPU: String, Sendable, CaseIterable {
        /// Any CPU of the architecture the user's compiler targets; flags pick the vector width.
        case portable
        /// The CPU running `kiln emit`: its vector width is fixed and the Makefile uses -march=native.
        case native
    }

    /// Prefix of every exported symbol and of the file names (`resnet50` → `resnet50.h`,
    /// `resnet50_run`); `nil` derives it from the model name.
    public var prefix: String?
    /// Compile the weights into the library instead of writing a weights file.
    public var embedWeights = false
    /// Largest weights file `embedWeights` accepts: long array literals make C compilers
    /// run out of memory, so bigger models must ship a weights file.
    public var embedLimitBytes = 8 << 20
    public var targetCPU: TargetCPU = .portable
    /// Threads the schedule is tuned for (default 4 for portable output, all cores for native).
    /// More threads split small layers into more tasks, each re-packing its input panel: on
    /// ResNet-50 one thread runs 1.35x slower scheduled for 8 than for 2, 1.1x for 4.
    public var threads: Int?
    /// The command that produced the library, written at the top of every generated file.
    public var commandLine = "kiln emit"
    /// The last-level cache the split-batch pass plans for (see `CompileOptions`); default: the
    /// target's.
    public var splitBatchCacheBytes: Int?
    /// Schedules measured by `--tune` (see `CompileOptions.tuning`); only its entries for
    /// `target()` apply, so portable output never changes with the machine's tuning.
    public var tuning: TuningFile?
    /// Receives pass timings and notes; `nil` is silent.
    public var log: (@Sendable (String) -> Void)?

    public init() {}

    /// The machine the schedule is tuned for. Portable output is scheduled for 8-float vectors
    /// (a 16-column register tile, divisible by every width kiln_isa.h picks), a 512 KiB L2,
    /// an 8 MiB last-level cache and 4 threads, fixed so that the same command writes the same
    /// files on every machine.
    public func target() -> Target {
        switch targetCPU {
        case .portable: return Target(vectorWidth: 8, l2Bytes: 512 * 1024, cacheBytes: 8 << 20, threads: threads ?? 4, march: "portable")
        case .native: return Target.host(threads: threads)
        }
    }
}
