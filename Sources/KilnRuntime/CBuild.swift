import Foundation

/// One compile-and-link of a source bundle into a shared object, in its own directory
/// inside the cache (so the final rename(2) into the cache stays on one file system).
///
/// Translation units are compiled in parallel, up to one compiler per core, since generated
/// models are split into several .c files precisely so this can happen. On failure the
/// directory is kept with a build.log holding every command and its output.
struct CBuild {
    let directory: String
    let compiler: CCompiler
    let flags: [String]
    /// Told as each unit finishes (`[2/5] model_1.c`) and before linking.
    var progress: (@Sendable (String) -> Void)?

    /// Name of the linked object inside `directory`.
    static let output = "kiln.so"

    /// Writes the files, compiles, links; returns the path of the linked .so in `directory`.
    func run(files: [String: String], translationUnits: [String]) throws -> String {
        try writeSources(files)
        let units = translationUnits
        let results = Results(count: units.count)
        let progress = self.progress
        DispatchQueue.concurrentPerform(iterations: units.count) { index in
            let unit = units[index]
            let arguments = flags + compiler.openmpCompileFlags + ["-fPIC", "-c", unit, "-o", unit + ".o"]
            let done = results.set(index, step(arguments))
            progress?("[\(done)/\(units.count)] compiled \(unit)")
        }
        progress?("linking \(units.count) object\(units.count == 1 ? "" : "s")")
        var steps = results.all
        if let failed = steps.first(where: { $0.status != 0 }) {
            throw failure(failed, steps: steps)
        }
        let link = step(["-shared", "-fPIC"] + units.map { $0 + ".o" } + ["-o", Self.output] + flags + compiler.openmpLinkFlags)
        steps.append(link)
        guard link.status == 0 else { throw failure(link, steps: steps) }
        return (directory as NSString).appendingPathComponent(Self.output)
    }

    /// A finished compiler invocation.
    struct Step: Sendable {
        let command: String
        let status: Int32
        let output: String
    }

    private func step(_ arguments: [String]) -> Step {
        let result = Subprocess.run(compiler.path, arguments, directory: directory)
        return Step(command: Subprocess.commandLine(compiler.path, arguments), status: result.status, output: result.output)
    }

    private func writeSources(_ files: [String: String]) throws {
        let fm = FileManager.default
        for (name, content) in files {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try content.write(toFile: path, atomically: false, encoding: .utf8)
            } catch {
                throw KilnRuntimeError.writeFailed(path: path, reason: error.localizedDescription)
            }
        }
    }

    /// Writes build.log and returns the error naming the first failed command.
    private func failure(_ failed: Step, steps: [Step]) -> KilnRuntimeError {
        let log = steps.map { "$ \($0.command)\n\($0.output)\($0.status == 0 ? "" : "[exit status \($0.status)]\n")" }
            .joined(separator: "\n")
        try? log.write(toFile: (directory as NSString).appendingPathComponent("build.log"), atomically: false, encoding: .utf8)
        let lines = failed.output.split(separator: "\n", omittingEmptySubsequences: false)
        var excerpt = lines.prefix(20).joined(separator: "\n")
        if lines.count > 20 { excerpt += "\n[... \(lines.count - 20) more lines in build.log]" }
        if excerpt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { excerpt = "[exit status \(failed.status), no output]" }
        return .compileFailed(command: failed.command, log: excerpt, directory: directory)
    }

    /// Per-unit results written from concurrent compiles.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var steps: [Step?]
        private var finished = 0
        init(count: Int) { steps = Array(repeating: nil, count: count) }
        /// Records a unit's result; returns how many have finished.
        @discardableResult
        func set(_ index: Int, _ step: Step) -> Int {
            lock.lock()
            defer { lock.unlock() }
            steps[index] = step
            finished += 1
            return finished
        }
        var all: [Step] { lock.lock(); defer { lock.unlock() }; return steps.compactMap { $0 } }
    }
}
