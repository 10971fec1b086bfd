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

    @Flag(help: "Before compiling, time each convolution's candidate schedules in the network (a minute or more per model) and save the faster ones in the tuning file.")
    var tune = false

    @Flag(inversion: .prefixedNo, help: "Use the schedules in the tuning file for layers it has (see --tune).")
    var tuning = true

    @Option(help: "The tuning file (default: tuning.json in the build cache folder, $KILN_CACHE_DIR or ~/.cache/kiln).")
    var tuningFile: String?

    @Option(help: "With --tune: timed runs of each candidate variant of the network.")
    var tuneRuns = 12

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

    /// `compileOptions()` with the tuning file's schedules, after tuning for inputs of `shape` if `--tune`.
    func compileOptions(tuningFor shape: Shape) throws -> CompileOptions {
        var options = compileOptions()
        guard tuning else {
            if tune { throw ValidationError("--tune and --no-tuning contradict each other") }
            return options
        }
        guard tuneRuns >= 1 else { throw ValidationError("--tune-runs must be at least 1") }
        let path = tuningFile ?? TuningFile.defaultPath()
        var file = try TuningFile.load(path)
        if tune {
            var tuner = ScheduleTuner.Options()
            tuner.runs = tuneRuns
            tuner.log = { line in FileHandle.standardError.write(Data(("kiln: " + line + "\n").utf8)) }
            let outcome = try ScheduleTuner.tune(try layer(), name: model, input: shape, compile: options, options: tuner, into: file)
            file = outcome.file
            try file.save(path)
            Self.report(outcome, path: path)
        }
        options.tuning = file
        return options
    }

    /// One line per layer shape whose schedule changed, and the sum over all of them.
    static func report(_ outcome: ScheduleTuner.Outcome, path: String) {
        let results = outcome.results
        let won = results.filter { $0.tuned != nil }
        for r in won.sorted(by: { $0.pickSeconds - $0.tunedSeconds > $1.pickSeconds - $1.tunedSeconds }) {
            let more = r.layers.count > 1 ? " and \(r.layers.count - 1) more" : ""
            print(String(format: "tuned %@%@: %.3f -> %.3f ms, %@", r.layers[0], more, r.pickSeconds * 1e3, r.tunedSeconds * 1e3,
                         String(describing: r.tuned!)))
        }
        let before = results.reduce(0) { $0 + $1.pickSeconds }, after = results.reduce(0) { $0 + $1.tunedSeconds }
        print(String(format: "tuned %d of %d convolution shapes; their kernels %.2f -> %.2f ms (fastest runs); saved in %@",
                     won.count, results.count, before * 1e3, after * 1e3, path))
        if let run = outcome.confirmedRun {
            print(String(format: "tuned: fastest run %.2f -> %.2f ms (with the kernel timers, in the confirmation)",
                         run.picks * 1e3, run.tuned * 1e3))
        }
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
