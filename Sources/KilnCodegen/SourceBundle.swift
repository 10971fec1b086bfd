/// The C sources of one compiled model: what the JIT compiles and what `kiln emit` writes.
public struct SourceBundle: Hashable, Sendable {
    /// Relative path → contents.
    public var files: [String: String]
    /// The `.c` files among `files` that are compiled, each as its own translation unit.
    public var translationUnits: [String]
    /// Floats of the prepared weight buffer `kiln_create` expects.
    public var weightFloats: Int
    /// Bytes of the activation arena.
    public var arenaBytes: Int

    public init(files: [String: String], translationUnits: [String], weightFloats: Int, arenaBytes: Int) {
        self.files = files
        self.translationUnits = translationUnits
        self.weightFloats = weightFloats
        self.arenaBytes = arenaBytes
    }
}
