import ArgumentParser
import Foundation
import Kiln
import KilnIR

struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time each fused kernel of a model and list them, slowest first.",
        discussion: "Compiles with a timer around every kernel call, runs --runs times on seeded weights and input, and prints each kernel's median time over the runs, share of the total and GFLOP/s.")

    @OptionGroup var options: ModelOptions
    @OptionGroup var input: InputShapeOptions
    @Option(help: "Timed runs (after one warm-up).")
    var runs: Int = 10
    @Option(help: "Print only the slowest kernels.")
    var top: Int = 25

    func run() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        let shape = try input.dims()
        var compileOptions = try options.compileOptions(tuningFor: shape)
        compileOptions.profile = true
        let model = try ModelCompiler.compile(try options.layer(), name: options.model, input: shape, options: compileOptions)
        let session = try model.load(weights: SeededWeightSource(seed: 1))
        if let threads = options.threads { try session.setThreads(threads) }
        let times = try session.timeKernels(SeededWeights.input(shape: shape.dims, seed: 2), runs: runs)
        let wall = KernelTimes.median(times.runs)
        let rows = times.medians.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
        let kernels = rows.reduce(0) { $0 + $1.1 }
        print(String(format: "%@ %@: %.2f ms a run (median), %.2f ms in %d kernels (sum of their medians)",
                     options.model, model.inputShape.description, wall * 1e3, kernels * 1e3, rows.count))
        print("    ms   share  GFLOP/s  kernel")
        for (node, seconds) in rows.prefix(top) {
            let n = model.graph.nodes[node]
            let gflops = Double(FlopCount.flops(of: n, in: model.graph)) / seconds / 1e9
            print(String(format: "%7.3f %6.1f%% %8.1f  %%%d %@ %@ %@", seconds * 1e3, 100 * seconds / kernels, gflops, node,
                         n.name, Printer.describe(n.op), n.shape.description))
        }
        let scratch = try BenchMachine.scratchDirectory("profile")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (peak, note) = BenchMachine.peak(threads: options.threads ?? ProcessInfo.processInfo.activeProcessorCount, in: scratch)
        print("peak: \(peak)" + (note.map { " (\($0))" } ?? ""))
        print(Self.convolutionSummary(rows, in: model.graph, kernels: kernels, peakGFlops: peak.gflops))
    }

    /// The convolutions' share of the time, their rate against the peak, and how much of their
    /// time runs at 60% of it or more (the bar the schedule pass aims at).
    static func convolutionSummary(_ rows: [(ValueID, Double)], in graph: Graph, kernels: Double, peakGFlops: Double) -> String {
        let convs = rows.filter { if case .conv2d = graph.nodes[$0.0].op { return true } else { return false } }
        guard !convs.isEmpty, peakGFlops > 0 else { return "convolutions: none timed" }
        let gflops = { (row: (ValueID, Double)) in Double(FlopCount.flops(of: graph.nodes[row.0], in: graph)) / row.1 / 1e9 }
        let seconds = convs.reduce(0) { $0 + $1.1 }
        let gflop = convs.reduce(0) { $0 + gflops($1) * $1.1 }  // Winograd's counted as the direct conv's
        let fast = convs.filter { gflops($0) >= 0.6 * peakGFlops }.reduce(0) { $0 + $1.1 }
        return String(format: "convolutions: %d kernels, %.2f ms (%.0f%% of the kernels' time), %.1f GFLOP/s = %.0f%% of peak; "
                      + "%.0f%% of their time in kernels at >= 60%% of peak", convs.count, seconds * 1e3, 100 * seconds / kernels,
                      gflop / seconds, 100 * gflop / seconds / peakGFlops, 100 * fast / seconds)
    }
}
