import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files by "temporary name, then rename(2)", so that another process (or a crash
/// half-way) can never leave or observe a partially written file at the final path.
enum AtomicFile {
    /// Writes `data` to a unique temporary file in `path`'s directory, then renames it over `path`.
    static func write(_ data: Data, to path: String) throws {
        let temporary = uniqueSibling(of: path)
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            unlink(temporary)
            throw KilnRuntimeError.writeFailed(path: path, reason: error.localizedDescription)
        }
        try rename(temporary, to: path)
    }

    /// Atomically moves `source` to `destination` (same file system), replacing it.
    static func rename(_ source: String, to destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(source)
            throw KilnRuntimeError.writeFailed(path: destination, reason: "rename from \(source) failed: \(reason)")
        }
    }

    /// A name next to `path` that no other process or thread will pick.
    static func uniqueSibling(of path: String) -> String {
        "\(path).tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    }
}
