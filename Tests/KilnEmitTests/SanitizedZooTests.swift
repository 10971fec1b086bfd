import Foundation
import Kiln
import Testing

extension EmitSuite {
    /// Every family's reduced network, emitted and built with AddressSanitizer and
    /// UndefinedBehaviorSanitizer (LeakSanitizer at exit), run on two threads and checked
    /// against its PyTorch golden: the generated C of every kernel the zoo uses runs clean.
    @Suite struct SanitizedZooTests {
        static let goldens = ["resnet_small_b2_odd", "se_small_b2", "eca_small_b2", "epsanet_narrow_b1",
                              "sa_small_b1", "van_small_b2"]

        @Test(arguments: goldens)
        func runsCleanUnderSanitizers(_ golden: String) throws {
            try runSanitized(golden, sampleLoop: false)
        }

        /// Batched networks again with their early layers in a sample loop (see `SplitBatch`):
        /// its slices of whole-batch buffers stay in bounds.
        @Test(arguments: ["resnet_small_b2_odd", "van_small_b2"])
        func sampleLoopRunsCleanUnderSanitizers(_ golden: String) throws {
            try runSanitized(golden, sampleLoop: true)
        }

        private func runSanitized(_ golden: String, sampleLoop: Bool) throws {
            let url = SmallModel.repository.appendingPathComponent("Tests/KilnZooTests/Goldens/\(golden).json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let model = try #require(object["model"] as? String)
            let config = (object["config"] as? [String: Any] ?? [:]).mapValues { ($0 as? [Int]) ?? [$0 as! Int] }
            let shape = try #require(object["input_shape"] as? [Int])
            let expected = try #require(object["output"] as? [NSNumber]).map(\.floatValue)
            let (seed, inputSeed) = (try #require(object["seed"] as? Int), try #require(object["input_seed"] as? Int))

            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-san-\(golden)-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            var options = EmitOptions()
            options.prefix = "m"
            if sampleLoop { options.splitBatchCacheBytes = 1024 }
            _ = try LibraryEmitter.emit(Zoo.entry(named: model)!.build(config), name: model, input: Shape(shape),
                                        weights: SeededWeightSource(seed: UInt64(seed)), to: dir.path, options: options)
            let forward = try String(contentsOf: dir.appendingPathComponent("src/model.c"), encoding: .utf8)
            #expect(forward.contains("for (int sample = 0; sample < \(shape[0]); sample++)") == sampleLoop)
            try writeFloats(SeededWeights.input(shape: shape, seed: UInt64(inputSeed)), to: dir.appendingPathComponent("in.f32"))
            let san = "-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror"
            _ = try mustRun("make -j2 CC=gcc CFLAGS='\(san)' example/m_example", in: dir)
            let output = try mustRun("./example/m_example m.weights in.f32 out.f32", in: dir, environment: ["OMP_NUM_THREADS": "2"])
            #expect(!output.contains("Sanitizer"), "\(output)")
            let diff = maxAbsDiff(try readFloats(dir.appendingPathComponent("out.f32")), expected)
            #expect(diff < 1e-4, "\(golden): max abs diff \(diff)")
        }
    }
}
