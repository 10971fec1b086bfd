import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// PyTorch and ONNX Runtime for `kiln bench`, timed run by run in a child process:
/// `python3 tools/reference/kiln_ref.py peers --serve` (see tools/reference/peers.py).
///
/// The child builds the seeded model, exports it to ONNX (cached), warms both engines up and
/// answers `{"ready": true}`. Then each `torch` or `ort` line on its stdin is one timed run,
/// answered by one JSON line; `done` ends it with the full report. Driving the peers run by
/// run lets `kiln bench` interleave them with Kiln's runs.
final class BenchPeers {
    enum Engine: String { case torch, ort }

    /// One timed run: its time and how many cores other processes kept busy meanwhile.
    struct Run: Decodable {
        let ms: Double
        let othersCores: Double
    }

    /// The final JSON line (its format is in peers.py's docstring).
    struct Report: Decodable {
        struct Diffs: Decodable { let ortVsTorch: Double; let kilnVsTorch: Double? }
        struct Export: Decodable { let cached: Bool; let exportSeconds: Double }
        let maxAbsDiff: Diffs
        let onnx: Export
        let torchVersion, ortVersion: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let python: String
    private let process = Process()
    private let input: FileHandle
    private let output: FileHandle
    private var buffer = Data()
    private let stderrPath: String

    /// tools/reference: `$KILN_REFERENCE`, else the package checkout this file was built from.
    static func referenceDirectory() -> String {
        if let env = ProcessInfo.processInfo.environment["KILN_REFERENCE"], !env.isEmpty { return env }
        // Sources/kiln/BenchPeers.swift -> <package>/tools/reference
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/reference").path
    }

    /// Starts the child and waits until both engines are warm.
    /// - Parameters:
    ///   - arguments: `peers` options after the subcommand (model, seeds, shape, threads, ...).
    ///   - scratch: a folder for the child's stderr.
    init(arguments: [String], scratch: String) throws {
        let script = (Self.referenceDirectory() as NSString).appendingPathComponent("kiln_ref.py")
        guard FileManager.default.fileExists(atPath: script) else {
            throw Failure(description: "cannot find \(script); set KILN_REFERENCE to the tools/reference folder, or pass --no-peers")
        }
        python = ProcessInfo.processInfo.environment["PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        stderrPath = scratch + "/peers.err"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let toChild = Pipe(), fromChild = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "peers"] + arguments + ["--serve"]
        process.standardInput = toChild
        process.standardOutput = fromChild
        // A file, not a pipe: nobody reads stderr while the child runs, and a full pipe would block it.
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        input = toChild.fileHandleForWriting
        output = fromChild.fileHandleForReading
        signal(SIGPIPE, SIG_IGN)  // a dead child must give an error, not kill kiln
        do { try process.run() } catch {
            throw Failure(description: "cannot start \(python): \(error.localizedDescription); pass --no-peers to time Kiln alone")
        }
        _ = try readMessage()  // {"ready": true}
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// One timed run of `engine`.
    func run(_ engine: Engine) throws -> Run {
        try send(engine.rawValue)
        return try decode(Run.self, try readMessage())
    }

    /// Ends the child and returns its report (output differences, versions, export).
    func finish() throws -> Report {
        try send("done")
        let report = try decode(Report.self, try readMessage())
        try? input.close()
        process.waitUntilExit()
        return report
    }

    private func send(_ command: String) throws {
        do { try input.write(contentsOf: Data((command + "\n").utf8)) } catch { throw failure("stopped taking commands") }
    }

    /// The next line of stdout that is a JSON object (anything else a library prints is skipped).
    private func readMessage() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                if line.hasPrefix("{\"error\"") { throw Failure(description: "the peers answered \(line)") }
                if line.hasPrefix("{") { return line }
                continue
            }
            let chunk = output.availableData
            if chunk.isEmpty { throw failure("exited early") }
            buffer.append(chunk)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ line: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { return try decoder.decode(type, from: Data(line.utf8)) } catch {
            throw Failure(description: "cannot read the peers' answer (\(error)): \(line.prefix(300))")
        }
    }

    /// An error quoting the last lines the child wrote to stderr.
    private func failure(_ what: String) -> Failure {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        let tail = stderr.split(separator: "\n").suffix(3).joined(separator: " / ")
        return Failure(description: "the peers (\(python) kiln_ref.py peers) \(what), status \(process.terminationStatus): \(tail)")
    }
}
