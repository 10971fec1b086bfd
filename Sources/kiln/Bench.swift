import ArgumentParser
import Foundation
import Kiln

/// `kiln bench`: Kiln against ONNX Runtime and PyTorch on the same network, weights, input
/// and thread count, in one run.
///
/// The peers run in a child process (`BenchPeers`, tools/reference/peers.py holds their exact
/// settings). Their timed runs and Kiln's are interleaved one by one, rotating the order
/// every round, so that a shared machine's changing load disturbs all three alike.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time a model in Kiln, ONNX Runtime and PyTorch on the same seeded weights and input.",
        discussion: """
            Compiles the model twice into a fresh cache folder (cold compile, then a cache hit) and runs it on \
            seeded weights (--seed) and a seeded input (seed + 1). The peers (tools/reference/kiln_ref.py peers, \
            run with python3 or $PYTHON; $KILN_REFERENCE overrides the folder) run PyTorch (eval, \
            inference_mode) and ONNX Runtime (the PyTorch model exported to ONNX, ORT_ENABLE_ALL) on the same \
            weights, input and thread count. After warm-up runs, each engine's --runs timed runs are \
            interleaved with the others', and the three outputs are compared. Prints median, min and max ms of \
            each, the ratios Kiln/ORT and Kiln/PyTorch (below 1: Kiln is faster), and Kiln's GFLOP/s against \
            the machine's FMA peak. See Benchmarks/README.md.
            """)

    @OptionGroup var options: ModelOptions
    @Option(help: "Batch size N of the N,3,H,W input.")
    var batch = 1
    @Option(help: "Image height and width H = W.")
    var size = 224
    @Option(help: "Timed runs of each engine.")
    var runs = 10
    @Option(help: "Untimed runs of each engine before its timed runs.")
    var warmup = 2
    @Option(help: "Seed of the random weights; the input uses seed + 1.")
    var seed: UInt64 = 1
    @Flag(inversion: .prefixedNo, help: "Also time ONNX Runtime and PyTorch (needs python3 with tools/reference/requirements.txt).")
    var peers = true
    @Option(help: "Append this result as a row of the Benchmarks/RESULTS.md table to this file.")
    var appendRow: String?
    @Option(help: "With --no-peers: idle this many seconds before each timed run, as the interleaved protocol does (0.25).")
    var pause = 0.0

    /// Idle time before each interleaved run, longer than the 200 ms an OpenMP runtime's
    /// threads spin after a parallel region (libomp's KMP_BLOCKTIME; Kiln uses libomp), so
    /// that no engine's run shares the cores with the previous engine's spinning threads.
    static let pause = 0.25

    enum Engine: String, CaseIterable { case kiln, ort, torch }

    func validate() throws {
        guard batch >= 1, size >= 1 else { throw ValidationError("--batch and --size must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        guard pause >= 0, pause <= 60 else { throw ValidationError("--pause must be between 0 and 60 seconds") }
        if let threads = options.threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let threads = options.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let shape = Shape([batch, 3, size, size])
        let layer = try options.layer()
        let traced = try Tracer.trace(layer, name: options.model, input: shape)
        let flops = FlopCount.of(traced), macs = FlopCount.macs(of: traced)
        let scratch = try BenchMachine.scratchDirectory("bench")
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let (peak, peakNote) = BenchMachine.peak(threads: threads, in: scratch)
        print("kiln bench \(options.model): input \(shape), \(threads) thread\(threads == 1 ? "" : "s"), "
              + "\(runs) runs after \(warmup) warm-up\(warmup == 1 ? "" : "s"), seed \(seed)")
        print(String(format: "model: %.3f GFLOP per run (%.3f GMACs in conv/linear; 2 flops a MAC, 1 an elementwise output)",
                     Double(flops) / 1e9, Double(macs) / 1e9))
        print("peak: \(peak)")
        if let peakNote { print("note: \(peakNote)") }

        // Cold compile into an empty cache, then the same compile again to time a cache hit.
        var compileOptions = try options.compileOptions(tuningFor: shape)
        compileOptions.threads = threads
        compileOptions.cacheDirectory = scratch + "/cache"
        let cold = try ModelCompiler.compile(layer, name: options.model, input: shape, options: compileOptions)
        let model = try ModelCompiler.compile(layer, name: options.model, input: shape, options: compileOptions)
        let loadStart = DispatchTime.now()
        let session = try model.load(weights: SeededWeightSource(seed: seed))
        let loadSeconds = Self.seconds(since: loadStart)
        try session.setThreads(threads)
        print(String(format: "compile: cold %.2f s%@, cache hit %.3f s%@; weights prepared in %.2f s",
                     cold.compileSeconds, cold.cacheHit ? " (unexpected cache hit)" : "",
                     model.compileSeconds, model.cacheHit ? "" : " (unexpected rebuild)", loadSeconds))
        if model.tunedConvolutions > 0 { print("tuning: \(model.tunedConvolutions) convolutions on schedules from the tuning file (--no-tuning: without)") }

        let input = SeededWeights.input(shape: shape.dims, seed: seed &+ 1)
        var output: [Float] = []
        for _ in 0..<max(warmup, 1) { output = try session.run(input) }

        var samples: [Engine: [(ms: Double, others: Double)]] = [:]
        func timeKiln() throws {
            let before = BenchMachine.CPUUsage.sample()
            let start = DispatchTime.now()
            _ = try session.run(input)
            let ms = Self.seconds(since: start) * 1000
            samples[.kiln, default: []].append((ms, before.othersBusy(until: BenchMachine.CPUUsage.sample())))
        }
        var report: BenchPeers.Report?
        if peers {
            let outputFile = scratch + "/kiln-output.safetensors"
            try SafetensorsWriter.write([("output", model.outputShape.dims, output)], to: outputFile)
            var arguments = ["--model", options.model, "--seed", String(seed), "--input-seed", String(seed &+ 1),
                             "--shape", shape.dims.map(String.init).joined(separator: ","), "--threads", String(threads),
                             "--warmup", String(warmup), "--kiln-output", outputFile]
            if let config = options.config { arguments += ["--config", config] }
            let server = try BenchPeers(arguments: arguments, scratch: scratch)
            _ = try session.run(input)  // the peers' warm-ups have had the caches
            for round in 0..<runs {
                for i in 0..<Engine.allCases.count {
                    let engine = Engine.allCases[(round + i) % Engine.allCases.count]
                    Thread.sleep(forTimeInterval: Self.pause)
                    switch engine {
                    case .kiln: try timeKiln()
                    case .ort, .torch:
                        let run = try server.run(engine == .ort ? .ort : .torch)
                        samples[engine, default: []].append((run.ms, run.othersCores))
                    }
                }
            }
            report = try server.finish()
        } else {
            for _ in 0..<runs {
                if pause > 0 { Thread.sleep(forTimeInterval: pause) }
                try timeKiln()
            }
        }

        let timings = samples.mapValues(Timing.init)
        let kiln = timings[.kiln]!, ort = timings[.ort], torch = timings[.torch]
        // Round i ran each engine once, back to back: the median of the per-round ratios cancels
        // the machine's slow drifts, which the ratio of medians over all rounds does not.
        func paired(_ peer: Engine) -> Double? {
            guard let theirs = samples[peer], !theirs.isEmpty else { return nil }
            return KernelTimes.median(zip(samples[.kiln]!, theirs).map { $0.ms / $1.ms })
        }
        let pairedOrt = paired(.ort), pairedTorch = paired(.torch)
        print("")
        print("engine          median ms      min ms      max ms   runs   others' load")
        func row(_ name: String, _ t: Timing, _ note: String) {
            print(name.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: " %12.2f %11.2f %11.2f %6d %9.2f cores   ", t.median, t.min, t.max, t.count, t.others) + note)
        }
        row("kiln", kiln, peers ? String(format: "(interleaved run by run with the peers, %.2f s apart)", Self.pause) : "")
        if let report, let ort, let torch {
            row("onnxruntime", ort, "(onnxruntime \(report.ortVersion))")
            row("pytorch", torch, "(torch \(report.torchVersion))")
        }
        print("")
        let gflops = Double(flops) / (kiln.median / 1000) / 1e9
        if let ort, let torch, let pairedOrt, let pairedTorch {
            print(String(format: "Kiln/ORT %.2f, Kiln/PyTorch %.2f (of medians; of minimums %.2f and %.2f; median of the "
                         + "per-round ratios %.2f and %.2f; below 1: Kiln is faster)",
                         kiln.median / ort.median, kiln.median / torch.median, kiln.min / ort.min, kiln.min / torch.min,
                         pairedOrt, pairedTorch))
        }
        print(String(format: "Kiln: %.1f GFLOP/s, %.1f%% of the %.1f GFLOP/s peak (at its median time)", gflops,
                     peak.gflops > 0 ? 100 * gflops / peak.gflops : 0, peak.gflops))
        if let report {
            let kilnDiff = report.maxAbsDiff.kilnVsTorch.map { String(format: "%.3g", $0) } ?? "n/a"
            print(String(format: "outputs: max |ORT - PyTorch| %.3g, max |Kiln - PyTorch| %@", report.maxAbsDiff.ortVsTorch, kilnDiff)
                  + (report.onnx.cached ? "" : String(format: " (ONNX export took %.1f s)", report.onnx.exportSeconds)))
        }
        let busiest = timings.values.map(\.others).max() ?? 0
        if busiest > 0.25 {
            print(String(format: "note: other processes kept up to %.2f of %d cores busy during the timed runs, so the times "
                         + "are disturbed (the minimums least)", busiest, ProcessInfo.processInfo.activeProcessorCount))
        }

        if let appendRow {
            try appendTableRow(to: appendRow, kiln: kiln, ort: ort.map { ($0, pairedOrt ?? 0) },
                               torch: torch.map { ($0, pairedTorch ?? 0) }, report: report, gflops: gflops,
                               peak: peak, cold: cold.compileSeconds, hit: model.compileSeconds)
        }
    }

    /// Median, minimum and maximum of one engine's run times in ms, and the cores' worth of CPU
    /// other processes used meanwhile (weighted by run time).
    struct Timing {
        let median, min, max, others: Double
        let count: Int

        init(_ samples: [(ms: Double, others: Double)]) {
            let sorted = samples.map(\.ms).sorted()
            count = sorted.count
            median = KernelTimes.median(sorted)
            min = sorted.first ?? 0
            max = sorted.last ?? 0
            others = samples.reduce(0) { $0 + $1.ms * $1.others } / Swift.max(sorted.reduce(0, +), 1e-9)
        }

    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Appends one row of the table in Benchmarks/RESULTS.md (whose header Benchmarks/run_all.sh writes).
    /// A peer is its timing and the median of Kiln's per-round ratios to it.
    func appendTableRow(to path: String, kiln: Timing, ort: (Timing, Double)?, torch: (Timing, Double)?,
                        report: BenchPeers.Report?, gflops: Double, peak: MachinePeak, cold: Double, hit: Double) throws {
        func ms(_ t: Timing) -> String {
            String(format: t.median < 10 ? "%.2f (%.2f–%.2f)" : "%.1f (%.1f–%.1f)", t.median, t.min, t.max)
        }
        func ratio(_ peer: (Timing, Double)?) -> String {
            peer.map { String(format: "%.2f (%.2f; %.2f)", kiln.median / $0.0.median, kiln.min / $0.0.min, $0.1) } ?? "–"
        }
        let cells: [String] = [
            options.model + (options.config.map { " `\($0)`" } ?? ""),
            "\(batch)×\(size)²",
            ms(kiln), ort.map { ms($0.0) } ?? "–", torch.map { ms($0.0) } ?? "–",
            ratio(ort), ratio(torch),
            String(format: "%.1f (%.1f%%)", gflops, peak.gflops > 0 ? 100 * gflops / peak.gflops : 0),
            String(format: "%.1f / %.2f", cold, hit),
            report?.maxAbsDiff.kilnVsTorch.map { String(format: "%.1e", $0) } ?? "–",
            [kiln, ort?.0, torch?.0].map { $0.map { String(format: "%.1f", $0.others) } ?? "–" }.joined(separator: " / "),
        ]
        let line = "| " + cells.joined(separator: " | ") + " |\n"
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw KilnError.runtime("cannot open \(path) to append the result row")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
    }
}
