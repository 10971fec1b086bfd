import Foundation
import Kiln
import Testing

extension EmitSuite {
    /// generated/eca_small must be what the current compiler emits (tools/regenerate-generated.sh
    /// rewrites it), so the checked-in example never drifts from the code generator.
    @Suite struct GeneratedExampleTests {
        /// The arguments of tools/regenerate-generated.sh, as the CLI records them in the banner.
        static let commandLine = #"kiln emit eca_resnet50 --config {"layers":[1,1,2,1],"width":8,"num_classes":10} "#
            + "--batch 1 --height 40 --width 40 --random-weights --seed 1 --name eca_small --out generated/eca_small"

        @Test func generatedExampleIsUpToDate() throws {
            let checkedIn = SmallModel.repository.appendingPathComponent("generated/eca_small")
            let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-generated-\(UUID().uuidString)")
            var options = EmitOptions()
            options.prefix = "eca_small"
            options.commandLine = Self.commandLine
            let report = try LibraryEmitter.emit(Zoo.entry(named: SmallModel.name)!.build(SmallModel.config), name: SmallModel.name,
                                                 input: SmallModel.input, weights: SeededWeightSource(seed: SmallModel.seed),
                                                 to: fresh.path, options: options)
            let stale = (report.files + [LibraryEmitter.manifest]).filter { path in
                (try? Data(contentsOf: checkedIn.appendingPathComponent(path))) != (try? Data(contentsOf: fresh.appendingPathComponent(path)))
            }
            #expect(stale.isEmpty, "generated/eca_small is out of date (\(stale.joined(separator: ", "))): run tools/regenerate-generated.sh")
            try? FileManager.default.removeItem(at: fresh)
        }
    }
}
