import ArgumentParser
import Foundation
import Kiln

struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time each fused kernel of a model and list them, slowest first.",
        discussion: "Compiles with a timer around every kernel call, runs --runs times on seeded weights and input, and prints each kernel's mean time, share of the total and GFLOP/s.")

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
        var compileOptions = options.compileOptions()
        compileOptions.profile = true
        let model = try ModelCompiler.compile(try options.layer(), name: options.model, input: Shape(dims), options: compileOptions)
        let session = try model.load(weights: SeededWeightSource(seed: 1))
        if let threads = options.threads { try session.setThreads(threads) }
        let input = SeededWeights.input(shape: dims, seed: 2)
        _ = try session.run(input)
        let warm = Dictionary(model.profile().map { ($0.node, $0.seconds) }, uniquingKeysWith: +)
        let start = Date()
        for _ in 0..<runs { _ = try session.run(input) }
        let wall = Date().timeIntervalSince(start) / Double(runs)

        var perNode: [ValueID: Double] = [:]
        for (node, seconds) in model.profile() { perNode[node, default: 0] += seconds }
        let rows = perNode.map { node, total in (node, (total - (warm[node] ?? 0)) / Double(runs)) }.sorted { $0.1 > $1.1 }
        let kernels = rows.reduce(0) { $0 + $1.1 }
        print(String(format: "%@ %@: %.2f ms a run, %.2f ms in %d kernels (the rest is call overhead)",
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
