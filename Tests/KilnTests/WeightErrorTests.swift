import Foundation
import Kiln
import Testing

/// Loading a checkpoint that does not fit the network: one clear error naming the key.
struct WeightErrorTests {
    static let small: Zoo.Config = ["layers": [1, 1, 1, 1], "width": [8], "num_classes": [10]]

    /// Writes the seeded checkpoint of `model` (reduced) as safetensors with its PyTorch keys.
    func checkpoint(_ model: String, _ config: Zoo.Config = small, edit: (inout [(name: String, shape: [Int], data: [Float])]) -> Void = { _ in })
        throws -> String {
        let graph = try Tracer.trace(Zoo.entry(named: model)!.build(config), name: model, input: [1, 3, 32, 32])
        var tensors = graph.parameterKeys.map { (name: $0.key, shape: $0.shape.dims, data: SeededWeights.tensor(key: $0.key, shape: $0.shape.dims, seed: 1)) }
        edit(&tensors)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(model)-\(UUID().uuidString).safetensors").path
        try SafetensorsWriter.write(tensors, to: path)
        return path
    }

    func load(_ model: String, _ path: String, config: Zoo.Config = small) throws {
        let compiled = try ModelCompiler.compile(Zoo.entry(named: model)!.build(config), name: model, input: [1, 3, 32, 32],
                                                 options: CompileOptions(threads: 1, cacheDirectory: testCacheDirectory))
        _ = try compiled.load(weights: SafetensorsWeightSource(path: path))
    }

    @Test func weightsOfAnotherNetworkNameTheFirstMissingAndUnexpectedKey() throws {
        let se = try checkpoint("se_resnet50")
        #expect(throws: KilnError.weightsMismatch(model: "resnet50", missing: nil, missingCount: 0,
                                                  unexpected: "layer1.0.se.fc.0.weight", unexpectedCount: 8)) {
            try load("resnet50", se)
        }
        let eca = try checkpoint("eca_resnet50")
        let error = try #require(throws: KilnError.self) { try load("se_resnet50", eca) }
        #expect("\(error)" == "the weights do not match model 'se_resnet50': 8 keys missing (first: 'layer1.0.se.fc.0.weight'), "
            + "4 unexpected keys (first: 'layer1.0.eca.conv.weight'); is this checkpoint for another network?")
    }

    @Test func wrongShapeNamesTheKeyAndBothShapes() throws {
        let path = try checkpoint("resnet50") { tensors in
            let i = tensors.firstIndex { $0.name == "layer2.0.conv2.weight" }!
            tensors[i] = (tensors[i].name, [16, 16, 1, 3], [Float](repeating: 0, count: 16 * 16 * 3))
        }
        #expect(throws: KilnRuntimeError.wrongShape(key: "layer2.0.conv2.weight", found: [16, 16, 1, 3], expected: [16, 16, 3, 3])) {
            try load("resnet50", path)
        }
    }

    @Test func nonFiniteWeightsAreReportedWithTheirKey() throws {
        let path = try checkpoint("resnet50") { tensors in
            let i = tensors.firstIndex { $0.name == "layer3.0.bn2.running_var" }!
            tensors[i].data[5] = .nan
            tensors[i].data[7] = .infinity
        }
        let compiled = try ModelCompiler.compile(Zoo.entry(named: "resnet50")!.build(Self.small), name: "resnet50", input: [1, 3, 32, 32],
                                                 options: CompileOptions(threads: 1, cacheDirectory: testCacheDirectory))
        nonisolated(unsafe) var warnings: [String] = []
        _ = try compiled.load(weights: SafetensorsWeightSource(path: path)) { warnings.append($0) }
        #expect(warnings == ["weight 'layer3.0.bn2.running_var' has 2 non-finite values (first at index 5: nan)"])
    }

    @Test func batchNormCountersAreIgnored() throws {
        let path = try checkpoint("resnet50") { $0.append((name: "bn1.num_batches_tracked", shape: [], data: [0])) }
        try load("resnet50", path)
    }

    @Test func inputOfTheWrongSizeIsRejected() throws {
        let model = try ModelCompiler.compile(Conv2d(3, 4, kernelSize: 1).key("c"), name: "m", input: [1, 3, 4, 4],
                                              options: CompileOptions(threads: 1, cacheDirectory: testCacheDirectory))
        let session = try model.load(weights: SeededWeightSource(seed: 1))
        #expect(throws: KilnError.invalidInput("expected 48 floats for shape [1, 3, 4, 4], got 47")) {
            _ = try session.run([Float](repeating: 0, count: 47))
        }
    }

    @Test func inputShapesAreCheckedBeforeARun() throws {
        let model = try ModelCompiler.compile(Conv2d(3, 4, kernelSize: 1).key("c"), name: "m", input: [1, 3, 4, 4],
                                              options: CompileOptions(threads: 1, cacheDirectory: testCacheDirectory))
        let session = try model.load(weights: SeededWeightSource(seed: 1))
        let cases: [([Int], String)] = [
            ([3, 4, 4], "input has rank 3 [3, 4, 4]; model 'm' expects rank 4 NCHW [1, 3, 4, 4]"),
            ([0, 3, 4, 4], "input [0, 3, 4, 4] has batch 0 (dim 0), an empty batch; model 'm' expects NCHW [1, 3, 4, 4]"),
            ([1, 3, 4, -1], "input [1, 3, 4, -1] has width -1 (dim 3), every dim must be at least 1; model 'm' expects NCHW [1, 3, 4, 4]"),
            ([1, 4, 4, 4], "input [1, 4, 4, 4] has 4 channels (dim 1); model 'm' expects 3 channels: NCHW [1, 3, 4, 4]"),
            ([1, 3, 2, 2], "input [1, 3, 2, 2] is 2x2 (height x width); model 'm' was compiled for 4x4: shapes are static, so compile it for that shape"),
            ([2, 3, 4, 4], "input [2, 3, 4, 4] has batch 2 (dim 0); model 'm' was compiled for batch 1: shapes are static, so compile it for that batch"),
            ([1, 3, 4, 4], "expected 48 floats for shape [1, 3, 4, 4], got 47"),
        ]
        for (dims, message) in cases {
            #expect(throws: KilnError.invalidInput(message)) {
                _ = try session.run([Float](repeating: 0, count: 47), shape: Shape(dims))
            }
        }
        let good = (0..<48).map { Float($0) / 48 }
        #expect(try session.run(good, shape: [1, 3, 4, 4]) == session.run(good))
    }

    @Test(arguments: [[1, 3, 32], [0, 3, 8, 8]])
    func inputShapesTheModelCannotTake(_ dims: [Int]) {
        #expect(throws: KilnError.self) {
            _ = try ModelCompiler.lower(ResNet(), name: "resnet50", input: Shape(dims), target: .host())
        }
    }
}
