/// Why `kiln emit` refused to write a library.
public enum EmitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--embed-weights` for weights above the limit.
    case embedTooLarge(bytes: Int, limit: Int)
    /// The output folder holds files that an earlier `kiln emit` did not write.
    case directoryNotEmpty(path: String, example: String)
    /// A file or folder could not be written.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .embedTooLarge(bytes, limit):
            return "the weights are \(mib(bytes)), too big to embed (limit \(mib(limit))): C compilers run out of memory on "
                + "array literals this long, so emit without --embed-weights and ship the weights file"
        case let .directoryNotEmpty(path, example):
            return "\(path) already holds files kiln emit did not write (e.g. '\(example)'); choose a new or empty folder"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }

    private func mib(_ bytes: Int) -> String {
        let tenths = (bytes * 10) >> 20
        return bytes >= 1 << 20 ? "\(tenths / 10).\(tenths % 10) MiB" : "\(bytes) bytes"
    }
}
