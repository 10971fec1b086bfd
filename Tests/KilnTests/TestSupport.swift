import Foundation
import Kiln

/// Tests share one build cache, so each distinct kernel set is compiled once per machine.
let testCacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-test-cache").path

/// Compiles `layer` for `shape` and runs it on seeded weights and a seeded input.
func runSeeded(_ layer: some Layer, shape: Shape, seed: UInt64 = 7, threads: Int = 2) throws -> (output: [Float], input: [Float], model: CompiledModel) {
    let model = try ModelCompiler.compile(layer, name: "test", input: shape,
                                          options: CompileOptions(threads: threads, cacheDirectory: testCacheDirectory))
    let session = try model.load(weights: SeededWeightSource(seed: seed))
    try session.setThreads(threads)
    let input = SeededWeights.input(shape: shape.dims, seed: seed &+ 1)
    return (try session.run(input), input, model)
}

/// The seeded value of one parameter, as the compiled model saw it.
func seeded(_ key: String, _ shape: Shape, seed: UInt64 = 7) -> [Float] {
    SeededWeights.tensor(key: key, shape: shape.dims, seed: seed)
}
