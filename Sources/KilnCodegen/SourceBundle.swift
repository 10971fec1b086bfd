import KilnIR

/// The C sources of one compiled model: what the JIT compiles and what `kiln emit` writes.
///
/// Layout: `PREFIX.h` (the public API), `src/model.c` (entry points and `kiln_forward`),
/// `src/partNN.c` (kernels, one translation unit per part), `src/model.h`, `src/kiln_common.h`
/// and, for portable code, `src/kiln_isa.h`.
public struct SourceBundle: Hashable, Sendable {
    /// Relative path → contents.
    public var files: [String: String]
    /// The `.c` files among `files` that are compiled, each as its own translation unit.
    public var translationUnits: [String]
    /// Floats of the prepared weight buffer `kiln_create` expects.
    public var weightFloats: Int
    /// Bytes of the activation arena.
    public var arenaBytes: Int
    /// The public header among `files`, e.g. `resnet50.h`.
    public var header: String
    /// The weights layout the code reads, for writing a matching weights file.
    public var weights: WeightsTable
    /// With profiling on: the graph node of each timed kernel call, in call order (the index
    /// into the `PREFIX_profile_seconds()` counters).
    public var profiledCalls: [ValueID] = []

    public init(files: [String: String], translationUnits: [String], weightFloats: Int, arenaBytes: Int,
                header: String, weights: WeightsTable, profiledCalls: [ValueID] = []) {
        self.files = files
        self.translationUnits = translationUnits
        self.weightFloats = weightFloats
        self.arenaBytes = arenaBytes
        self.header = header
        self.weights = weights
        self.profiledCalls = profiledCalls
    }

    /// Every C file, each under a `/* ==== path ==== */` line, for `kiln compile --dump c`.
    public var combinedText: String {
        files.keys.sorted().filter { $0.hasSuffix(".c") || $0.hasSuffix(".h") }
            .map { "/* ==== \($0) ==== */\n" + files[$0]! }.joined(separator: "\n")
    }
}
