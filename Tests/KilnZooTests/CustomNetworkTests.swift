import Foundation
import Kiln
import Testing

/// A network a user writes in their own code, mixing blocks of two families: VAN-style
/// residual blocks whose large-kernel attention is gated again by ECA. Its PyTorch twin is
/// tools/reference/models/custom.py.
struct MixedBlock: Layer {
    var dim, kernelSize: Int

    func forward(_ x: Tensor) throws -> Tensor {
        let scale = try x.builder.parameterTensor("layer_scale", [dim]).view(dim, 1, 1)
        let attended = try Chain {
            BatchNorm2d(dim).key("norm")
            LargeKernelAttention(dim: dim).key("lka")
            EfficientChannelAttention(kernelSize: kernelSize).key("eca")
        }.forward(x)
        return try x + scale * attended
    }
}

struct ECAVan: Block {
    var dim = 16, depth = 2, kernelSize = 5, numClasses = 10

    var body: some Layer {
        Conv2d(3, dim, kernelSize: 7, stride: 4, padding: 3).key("stem")
        BatchNorm2d(dim).key("stem_bn")
        Sequential { for _ in 0..<depth { MixedBlock(dim: dim, kernelSize: kernelSize) } }.key("blocks")
        LayerNorm(dim, eps: 1e-6, dim: 1).key("norm")
        AdaptiveAvgPool2d(1)
        Flatten()
        Linear(dim, numClasses).key("head")
    }
}

struct CustomNetworkTests {
    @Test func mixedFamilyNetworkMatchesPyTorch() throws {
        let dir = try #require(Bundle.module.url(forResource: "CustomGoldens", withExtension: nil))
        let golden = try JSONDecoder().decode(GoldenCase.self, from: Data(contentsOf: dir.appendingPathComponent("custom_eca_van.json")))
        let model = try ModelCompiler.compile(ECAVan(), name: "custom_eca_van", input: Shape(golden.input_shape),
                                              options: CompileOptions(threads: 2, cacheDirectory: goldenCacheDirectory))
        let output = try model.load(weights: SeededWeightSource(seed: golden.seed))
            .run(SeededWeights.input(shape: golden.input_shape, seed: golden.input_seed))
        #expect(maxAbsDiff(output, golden.output) < 1e-4)
    }
}
