import ArgumentParser
import Foundation
import Kiln
import KilnRuntime

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a model for an input shape and run it.",
        discussion: """
            With --weights/--input/--output: reads tensor `input` (float32 NCHW) and the checkpoint by its
            PyTorch keys, and writes the logits as tensor `output`. With --random-weights: runs on seeded
            weights and a seeded input and prints the top-5 logits.
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: "Weights as safetensors with the model's PyTorch state_dict keys.")
    var weights: String?
    @Option(help: "Input safetensors holding a float32 NCHW tensor named `input`.")
    var input: String?
    @Option(help: "Where to write the output safetensors (tensor `output`).")
    var output: String?
    @Flag(help: "Use deterministic random weights (see --seed) instead of a file.")
    var randomWeights = false
    @Option(help: "Seed of the random weights; the random input uses seed + 1.")
    var seed: UInt64 = 1
    @OptionGroup(title: "Input shape, when no --input is given") var shapeOptions: InputShapeOptions
    @Option(help: "Timed runs after one warm-up; prints the median.")
    var runs: Int = 1
    @Option(help: "Stop at this module (e.g. layer1.0.conv2) and output its tensor, saved under that name with --output.")
    var debugLayer: String?
    @Option(help: "Compare the output with tensor `output` of this safetensors file; fails above --atol.")
    var checkAgainst: String?
    @Option(help: "Largest absolute difference --check-against accepts.")
    var atol: Float = 1e-4

    func validate() throws {
        guard randomWeights != (weights != nil) else {
            throw ValidationError("give either --weights FILE or --random-weights")
        }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if input != nil, shapeOptions.batch != nil { throw ValidationError("--batch sets the random input's batch; --input brings its own shape") }
        if let threads = options.threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let layer = try options.layer()
        let (inputShape, inputData) = try readInput()
        var compileOptions = try options.compileOptions(tuningFor: inputShape)
        compileOptions.outputLayer = debugLayer
        let model = try ModelCompiler.compile(layer, name: options.model, input: inputShape, options: compileOptions)
        let source: WeightSource = randomWeights ? SeededWeightSource(seed: seed) : try SafetensorsWeightSource(path: weights!)
        let session = try model.load(weights: source) { warning in
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        if let threads = options.threads { try session.setThreads(threads) }

        var result = try session.run(inputData)
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now()
            result = try session.run(inputData)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
        }
        times.sort()
        let median = times[times.count / 2]
        if let output {
            try SafetensorsWriter.write([(debugLayer ?? "output", model.outputShape.dims, result)], to: output)
        } else if debugLayer != nil {
            print("\(debugLayer!): shape \(model.outputShape), min \(result.min() ?? 0), max \(result.max() ?? 0)")
        } else {
            printTop5(result, classes: model.outputShape.dims.last ?? result.count)
        }
        print(String(format: "compile: %.2f s (%@)", model.compileSeconds, model.cacheHit ? "cache hit" : "built"))
        print(String(format: "time: %.2f ms", times[0]))
        if runs > 1 { print(String(format: "median: %.3f ms", median)) }
        if let checkAgainst { try compare(result, shape: model.outputShape, with: checkAgainst) }
    }

    /// Prints the max absolute and relative differences against a reference and fails above `atol`.
    private func compare(_ result: [Float], shape: Shape, with path: String) throws {
        let file = try SafetensorsFile(path: path)
        let key = file.tensors["output"] != nil ? "output" : (debugLayer ?? "output")
        let expected = try file.floats(key, shape: shape.dims)
        let abs = zip(result, expected).map { Swift.abs($0 - $1) }
        let rel = zip(abs, expected).map { $0 / max(Swift.abs($1), atol) }
        let maxAbs = abs.max() ?? 0
        print("check against \(path): max abs diff \(maxAbs), max rel diff \(rel.max() ?? 0)")
        guard maxAbs <= atol else {
            throw CommandError("output differs from \(path) by \(maxAbs), more than --atol \(atol)")
        }
    }

    private func readInput() throws -> (Shape, [Float]) {
        if let input {
            let file = try SafetensorsFile(path: input)
            guard let info = file.tensors["input"] else {
                throw KilnError.invalidInput("\(input) has no tensor named 'input' (it has: \(file.keys.prefix(5).joined(separator: ", ")))")
            }
            return (Shape(info.shape), try file.floats("input"))
        }
        let shape = try shapeOptions.dims()
        return (shape, SeededWeights.input(shape: shape.dims, seed: seed &+ 1))
    }

    private func printTop5(_ logits: [Float], classes: Int) {
        for n in 0..<(logits.count / max(classes, 1)) {
            let row = logits[(n * classes)..<((n + 1) * classes)]
            let top = row.indices.sorted { row[$0] > row[$1] }.prefix(5)
            print("image \(n): top-5 " + top.map { String(format: "%d (%.4f)", $0 - n * classes, row[$0]) }.joined(separator: ", "))
        }
    }
}
