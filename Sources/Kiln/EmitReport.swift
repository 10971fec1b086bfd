/// What `LibraryEmitter.emit` wrote.
public struct EmitReport: Sendable {
    /// The output folder.
    public var directory: String
    /// Files written, relative to `directory`, sorted.
    public var files: [String]
    /// The C symbol and file prefix.
    public var prefix: String
    /// Translation units (`src/*.c`), including embedded weights.
    public var translationUnits: [String]
    /// Size of the weights file (written, or compiled in).
    public var weightsBytes: Int
    public var embedded: Bool
    /// Bytes of activation arena a context allocates.
    public var arenaBytes: Int
}
