import Kiln
import KilnCodegen
import Testing

/// A 1×1 stride-1 conv whose GEMM turns (channels along the lanes) reads its input in place
/// (conv2d_gemm.c, KCG_INPLACE), so the model allocates no panel scratch for it.
struct InPlaceScratchTests {
    func generated(_ layer: some Layer, input: Shape) throws -> String {
        let target = Target(vectorWidth: 16, l2Bytes: 1 << 20, threads: 2, march: "native")
        let graph = try ModelCompiler.lower(layer, name: "t", input: input, target: target)
        return try CodeGenerator(target: target).generate(graph).combinedText
    }

    @Test func turnedOneByOneNeedsNoPanel() throws {
        let text = try generated(Conv2d(1024, 512, kernelSize: 1).key("c"), input: [1, 1024, 14, 14])
        #expect(text.contains("#define KILN_CL 1"))
        #expect(text.contains("#define KILN_SCRATCH_PER_THREAD 16\n"))
    }

    @Test func turnedStridedConvStillPacks() throws {
        // Stride 2: the tiles read a packed panel, 1024 rows of 98 + 16 floats (at batch 1 each of the
        // two threads takes half of the 196 pixels).
        let text = try generated(Conv2d(1024, 512, kernelSize: 1, stride: 2).key("c"), input: [1, 1024, 28, 28])
        #expect(text.contains("#define KILN_CL 1"))
        #expect(text.contains("#define KILN_SCRATCH_PER_THREAD \(1024 * (98 + 16))\n"))
    }
}
