import Kiln
import Testing

/// Every zoo network traces, and its parameters add up to the official implementation's
/// count (shared/models.md), which catches a missing, extra or mis-shaped parameter.
struct ZooStructureTests {
    static let officialParameterCounts: [String: Int] = [
        "resnet50": 25_557_032, "se_resnet50": 28_071_976, "eca_resnet50": 25_557_112,
        "epsanet50": 22_561_715, "epsanet101": 38_900_279, "sa_resnet50": 25_557_740,
        "van_b0": 4_105_800, "van_b1": 13_861_800, "van_b2": 26_578_472,
    ]

    @Test(arguments: Zoo.models.map(\.name))
    func parameterCountMatchesOfficial(_ name: String) throws {
        let graph = try Tracer.trace(Zoo.entry(named: name)!.build([:]), name: name, input: [1, 3, 64, 64])
        // The official counts are of learned parameters: BatchNorm's running statistics are buffers.
        let learned = graph.parameterKeys.filter { !$0.key.hasSuffix("running_mean") && !$0.key.hasSuffix("running_var") }
        let count = learned.reduce(0) { $0 + $1.shape.count }
        #expect(count == Self.officialParameterCounts[name])
        #expect(graph.outputShape == [1, 1000])
    }

    @Test func listHasTheNineSeedNetworks() {
        #expect(Zoo.models.map(\.name) == ["resnet50", "se_resnet50", "eca_resnet50", "epsanet50", "epsanet101",
                                            "sa_resnet50", "van_b0", "van_b1", "van_b2"])
    }
}
