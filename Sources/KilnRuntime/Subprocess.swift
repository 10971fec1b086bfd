import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion and collects its combined stdout+stderr.
///
/// Output goes to a file rather than a pipe: with several compilers running at once, a pipe
/// can deadlock (full buffer) or never reach EOF (a sibling child inherited its write end).
enum Subprocess {
    /// Exit status (128+signal when killed by a signal, -1 when it could not start) and output.
    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `executable` with `arguments` in `directory`. The combined output is also left in
    /// `logPath` when one is given (otherwise a temporary file is used and removed).
    static func run(_ executable: String, _ arguments: [String], directory: String? = nil,
                    environment: [String: String]? = nil, logPath: String? = nil) -> Result {
        let log = logPath ?? NSTemporaryDirectory() + "/kiln-subprocess-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).log"
        defer { if logPath == nil { unlink(log) } }
        guard FileManager.default.createFile(atPath: log, contents: nil),
              let handle = FileHandle(forWritingAtPath: log) else {
            return Result(status: -1, output: "cannot create the log file \(log)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        do {
            try process.run()
        } catch {
            try? handle.close()
            return Result(status: -1, output: "cannot run \(executable): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        try? handle.close()
        let data = FileManager.default.contents(atPath: log) ?? Data()
        let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        return Result(status: status, output: String(decoding: data, as: UTF8.self))
    }

    /// `arguments` as a shell-like command line for messages (quoting words with spaces).
    static func commandLine(_ executable: String, _ arguments: [String]) -> String {
        ([executable] + arguments).map { word in
            word.isEmpty || word.contains(where: { " \t\"'\\$".contains($0) })
                ? "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" : word
        }.joined(separator: " ")
    }

    /// The full path of `name` found on `searchPath` (colon-separated), or `name` itself if it
    /// contains a slash and is executable.
    static func findExecutable(_ name: String, searchPath: String?) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for directory in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            var status = stat()
            if stat(candidate, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}
