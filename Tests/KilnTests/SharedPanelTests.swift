import Kiln
import KilnCodegen
import Testing

/// The GEMM's channel chunks share their packed panels only where all of them fit in half the
/// target's L2 (conv2d_gemm.c, KILN_SHARE_PANELS), and the scratch the model allocates follows.
struct SharedPanelTests {
    /// A 1024→512 1×1 on a 14×14 map: 2 channel chunks of 4 pixel tiles whose panels take 1.5 MiB.
    func generated(l2Bytes: Int) throws -> String {
        let target = Target(vectorWidth: 16, l2Bytes: l2Bytes, threads: 2, march: "native")
        let layer = Conv2d(1024, 512, kernelSize: 1).key("c")
        let graph = try ModelCompiler.lower(layer, name: "t", input: [1, 1024, 14, 14], target: target)
        return try CodeGenerator(target: target).generate(graph).combinedText
    }

    @Test func panelsLargerThanHalfTheL2AreNotShared() throws {
        let text = try generated(l2Bytes: 1 << 20)
        #expect(text.contains("#define KILN_MCHUNKS 2"))
        #expect(text.contains("#define KILN_SHARE_PANELS 0"))
    }

    @Test func panelsWithinHalfTheL2AreShared() throws {
        let text = try generated(l2Bytes: 16 << 20)
        #expect(text.contains("#define KILN_MCHUNKS 2"))
        #expect(text.contains("#define KILN_SHARE_PANELS 1"))
    }
}
