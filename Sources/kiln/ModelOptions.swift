import ArgumentParser
import Foundation
import Kiln
import KilnZoo

/// Options shared by commands that build a zoo model.
struct ModelOptions: ParsableArguments {
    @Argument(help: "Model name (see `kiln list`).")
    var model: String

    @Option(help: "Hyper-parameter overrides as JSON, e.g. '{\"layers\":[1,1,1,1],\"width\":16}'.")
    var config: String?

    @Option(help: "OpenMP threads (default: all cores).")
    var threads: Int?

    @Flag(inversion: .prefixedNo, help: "Use Winograd F(4x4, 3x3) for 3x3 stride-1 convs where the schedule pass expects it to pay.")
    var winograd = true

    @Flag(inversion: .prefixedNo, help: "At batch > 1, run the early layers once per sample where the batch's activations would overflow the cache.")
    var splitBatch = true

    @Flag(name: .shortAndLong, help: "Log passes and build steps (-vv also prints the IR after each pass).")
    var verbose: Int

    func entry() throws -> Zoo.Entry {
        guard let entry = Zoo.entry(named: model) else {
            throw ValidationError("unknown model '\(model)'; `kiln list` shows the available ones")
        }
        return entry
    }

    func layer() throws -> any Layer {
        try entry().build(try parsedConfig())
    }

    func parsedConfig() throws -> [String: [Int]] {
        guard let config else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any] else {
            throw ValidationError("--config must be a JSON object, got \(config)")
        }
        var out: [String: [Int]] = [:]
        for (key, value) in object {
            if let n = value as? Int { out[key] = [n] } else if let a = value as? [Int] { out[key] = a } else {
                throw ValidationError("--config value for '\(key)' must be an integer or a list of integers")
            }
        }
        return out
    }

    func compileOptions() -> CompileOptions {
        var options = CompileOptions(threads: threads)
        options.winograd = winograd
        options.splitBatch = splitBatch
        if verbose > 0 || (Int(ProcessInfo.processInfo.environment["KILN_DEBUG"] ?? "") ?? 0) > 0 {
            options.log = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        options.dumpIR = verbose > 1
        // Compiles of big models take seconds: show progress on a terminal, stay silent in pipes and logs.
        if isatty(STDERR_FILENO) != 0 {
            options.progress = { line in
                FileHandle.standardError.write(Data(("\u{1B}[2K\r" + (line.isEmpty ? "" : "kiln: \(line)")).utf8))
            }
        }
        return options
    }
}
