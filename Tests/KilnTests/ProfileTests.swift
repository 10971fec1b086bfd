import Foundation
import Kiln
import Testing

/// `CompileOptions.profile` times every kernel call; normal builds carry no timers.
struct ProfileTests {
    @Test func everyKernelCallIsTimed() throws {
        var options = CompileOptions(threads: 1, cacheDirectory: testCacheDirectory)
        options.profile = true
        let model = try ModelCompiler.compile(ResNet(layers: [1, 1, 1, 1], width: 8, numClasses: 10), name: "resnet50",
                                              input: [1, 3, 32, 32], options: options)
        let session = try model.load(weights: SeededWeightSource(seed: 1))
        for _ in 0..<3 { _ = try session.run(SeededWeights.input(shape: [1, 3, 32, 32], seed: 2)) }
        let profile = model.profile()
        // One timed call per node that runs code (views and the input make none).
        let running = model.graph.nodes.indices.filter {
            switch model.graph.nodes[$0].op { case .input, .reshape, .constant: false; default: true }
        }
        #expect(profile.map(\.node) == running)
        #expect(profile.allSatisfy { $0.seconds > 0 })

        let plain = try ModelCompiler.compile(ResNet(layers: [1, 1, 1, 1], width: 8, numClasses: 10), name: "resnet50",
                                              input: [1, 3, 32, 32], options: CompileOptions(threads: 1, cacheDirectory: testCacheDirectory))
        #expect(plain.profile().isEmpty)
        #expect(!plain.sources.files.values.contains { $0.contains("kiln_profile_now") })
    }
}
