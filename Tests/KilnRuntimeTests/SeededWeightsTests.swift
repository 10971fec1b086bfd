import Testing
@testable import KilnRuntime

/// Values printed by tools/reference/seeded.py (numpy, 9 significant digits) and an FNV-1a-64
/// over the little-endian float32 bytes of the whole tensor, so every element is compared
/// bit for bit with the Python twin.
@Suite struct SeededWeightsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let key: String
        let shape: [Int]
        let seed: UInt64
        let first: [Float]
        let bytesHash: UInt64
        var testDescription: String { "\(key) \(shape) seed \(seed)" }
    }

    static let cases: [Case] = [
        Case(key: "conv1.weight", shape: [64, 3, 7, 7], seed: 1,
             first: [0.122998245, -0.0540166162, 0.109738901, -0.0254964568], bytesHash: 0x72f1_7f17_94b9_951e),
        Case(key: "input", shape: [1, 3, 4, 4], seed: 2,
             first: [0.814291656, 0.244161069, 0.589449584, -0.569081008], bytesHash: 0x96d8_6a70_594d_b832),
        Case(key: "bn1.running_var", shape: [8], seed: 7,
             first: [1.05393779, 0.912753403, 0.961668491, 1.04472446], bytesHash: 0xfca9_24d9_ac7e_ee8b),
        Case(key: "bn1.running_mean", shape: [8], seed: 7,
             first: [-0.071386151, 0.0655370876, -0.0230388697, -0.0873257443], bytesHash: 0x772e_aad1_0559_a269),
        Case(key: "bn1.weight", shape: [8], seed: 7,
             first: [0.822950065, 0.9748227, 0.95764488, 0.991089046], bytesHash: 0x762b_5487_1467_812d),
        Case(key: "fc.bias", shape: [5], seed: 3,
             first: [-0.0208249744, 0.0897210762, 0.0116268694, -0.0597915128], bytesHash: 0x5ddb_57fe_c3f4_1200),
        Case(key: "layer1.0.layer_scale", shape: [4], seed: .max,
             first: [-0.0255284607, 0.177703112, 0.0659782588, -0.379848689], bytesHash: 0xa979_5b02_b313_8088),
        Case(key: "fc.weight", shape: [10, 16], seed: 42,
             first: [0.0424708053, -0.411170512, -0.267417669, 0.203371167], bytesHash: 0x4564_0bb0_f97d_d13a),
    ]

    @Test(arguments: cases) func matchesThePythonTwin(_ c: Case) {
        let values = c.key == "input" ? SeededWeights.input(shape: c.shape, seed: c.seed)
                                      : SeededWeights.tensor(key: c.key, shape: c.shape, seed: c.seed)
        #expect(values.count == c.shape.reduce(1, *))
        #expect(Array(values.prefix(4)) == c.first)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes in
                for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            }
        }
        #expect(hash == c.bytesHash)
    }

    @Test func primitivesMatchThePythonTwin() {
        #expect(SeededWeights.fnv1a64("conv1.weight") == 0x69a2_9a2c_ee47_d254)
        #expect(SeededWeights.fnv1a64("ü.weight") == 0x573e_22dd_ba9a_2efc) // UTF-8, not UTF-16
        #expect(SeededWeights.splitmix64(0) == 0xe220_a839_7b1d_cdaf)
    }

    @Test func rulesFollowTheDesignTable() {
        #expect(SeededWeights.scaleAndOffset(key: "input", shape: [1, 3]) == (1, 0))
        #expect(SeededWeights.scaleAndOffset(key: "bn.running_var", shape: [4]) == (0.25, 1))
        #expect(SeededWeights.scaleAndOffset(key: "bn.running_mean", shape: [4]) == (0.1, 0))
        #expect(SeededWeights.scaleAndOffset(key: "conv.weight", shape: [8, 3, 1, 1]) == ((3.0 / 3.0).squareRoot(), 0))
        #expect(SeededWeights.scaleAndOffset(key: "fc.weight", shape: [10, 12]) == (0.5, 0))
        #expect(SeededWeights.scaleAndOffset(key: "bn.weight", shape: [4]) == (0.2, 1))
        #expect(SeededWeights.scaleAndOffset(key: "bn.bias", shape: [4]) == (0.1, 0))
        #expect(SeededWeights.scaleAndOffset(key: "layer_scale", shape: [4]) == (0.5, 0))
    }

    @Test func valuesStayInsideTheirRange() {
        let values = SeededWeights.tensor(key: "bn.running_var", shape: [10_000], seed: 9)
        #expect(values.allSatisfy { $0 > 0.75 && $0 < 1.25 })
        #expect(SeededWeights.tensor(key: "x", shape: [0, 5], seed: 1).isEmpty)
        #expect(SeededWeights.tensor(key: "x", shape: [], seed: 1).count == 1)
        #expect(SeededWeights.tensor(key: "a", shape: [3], seed: 1) != SeededWeights.tensor(key: "a", shape: [3], seed: 2))
    }
}
