import Foundation
import Kiln
import Testing

/// A case written by `tools/reference/kiln_ref.py golden`: the network, the seeds of its
/// weights and input, and PyTorch's output.
struct GoldenCase: Decodable, CustomStringConvertible, Sendable {
    var model: String
    var config: [String: IntOrList]?
    var seed: UInt64
    var input_seed: UInt64
    var input_shape: [Int]
    var output_shape: [Int]
    var output: [Float]
    var file = ""

    enum CodingKeys: String, CodingKey { case model, config, seed, input_seed, input_shape, output_shape, output }

    var description: String { file }

    enum IntOrList: Decodable, Sendable {
        case int(Int), list([Int])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .int(n) } else { self = .list(try c.decode([Int].self)) }
        }
        var values: [Int] { switch self { case .int(let n): [n]; case .list(let a): a } }
    }

    static func all() throws -> [GoldenCase] {
        let dir = try #require(Bundle.module.url(forResource: "Goldens", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { name in
            var c = try JSONDecoder().decode(GoldenCase.self, from: Data(contentsOf: dir.appendingPathComponent(name)))
            c.file = name
            return c
        }
    }
}

let goldenCacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-test-cache").path

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
}

/// Every zoo network against PyTorch, within atol 1e-4, on seeded weights and inputs.
struct GoldenTests {
    @Test(arguments: try GoldenCase.all())
    func matchesPyTorch(_ c: GoldenCase) throws {
        let entry = try #require(Zoo.entry(named: c.model), "no zoo model \(c.model)")
        let layer = entry.build((c.config ?? [:]).mapValues(\.values))
        let model = try ModelCompiler.compile(layer, name: c.model, input: Shape(c.input_shape),
                                              options: CompileOptions(threads: 2, cacheDirectory: goldenCacheDirectory))
        #expect(model.outputShape.dims == c.output_shape)
        let session = try model.load(weights: SeededWeightSource(seed: c.seed))
        let output = try session.run(SeededWeights.input(shape: c.input_shape, seed: c.input_seed))
        let diff = maxAbsDiff(output, c.output)
        #expect(diff < 1e-4, "\(c.file): max abs diff \(diff)")
    }

    /// The batched cases again with the early layers run once per sample (`SplitBatch`), which
    /// at these small sizes only a tiny planned cache brings about.
    @Test(arguments: try GoldenCase.all().filter { $0.input_shape[0] > 1 })
    func matchesPyTorchInASampleLoop(_ c: GoldenCase) throws {
        let entry = try #require(Zoo.entry(named: c.model), "no zoo model \(c.model)")
        let layer = entry.build((c.config ?? [:]).mapValues(\.values))
        var options = CompileOptions(threads: 2, cacheDirectory: goldenCacheDirectory)
        options.splitBatchCacheBytes = 1024
        let graph = try ModelCompiler.lower(layer, name: c.model, input: Shape(c.input_shape), target: .host(threads: 2), options: options)
        let loop = try #require(graph.sampleLoop, "\(c.file): no sample loop")
        #expect(loop.end > graph.nodes.count / 4, "\(c.file): the loop holds only \(loop.end) of \(graph.nodes.count) nodes")
        let model = try ModelCompiler.compile(layer, name: c.model, input: Shape(c.input_shape), options: options)
        let session = try model.load(weights: SeededWeightSource(seed: c.seed))
        let output = try session.run(SeededWeights.input(shape: c.input_shape, seed: c.input_seed))
        let diff = maxAbsDiff(output, c.output)
        #expect(diff < 1e-4, "\(c.file): max abs diff \(diff)")
    }
}
