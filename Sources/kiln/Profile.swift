import ArgumentParser
import Foundation
import Kiln

struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time each fused kernel of a model and list them, slowest first.",
        discussion: "Compiles with a timer around every kernel call, runs --runs times on seeded weights and input, and prints each kernel's median time over the runs, share of the total and GFLOP/s.")

    @OptionGroup var options: ModelOptions
    @Option(help: "Input shape N,C,H,W.")
    var shape: String = "1,3,224,224"
    @Option(help: "Timed runs (after one warm-up).")
    var runs: Int = 10
    @Option(help: "Print only the slowest kernels.")
    var top: Int = 25

    func run() throws {
        let dims = shape.split(separator: ",").compactMap { Int($0) }
        guard dims.count == 4, dims.allSatisfy({ $0 > 0 }), runs > 0 else {
            throw ValidationError("--shape must be N,C,H,W and --runs positive")
        }
        var compileOptions = try options.compileOptions(tuningFor: Shape(dims))
        compileOptions.profile = true
        let model = try ModelCompiler.compile(try options.layer(), name: options.model, input: Shape(dims), options: compileOptions)
        let session = try model.load(weights: SeededWeightSource(seed: 1))
        if let threads = options.threads { try session.setThreads(threads) }
        let input = SeededWeights.input(shape: dims, seed: 2)
        let times = try session.timeKernels(input, runs: runs)
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
    }
}
