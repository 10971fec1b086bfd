import KilnDSL
import KilnIR
import Testing

/// Parameter keys come from the module structure, exactly as PyTorch's state_dict names them.
struct KeyNamingTests {
    @Test func sequentialNumbersChildrenAndKeyOverrides() throws {
        let net = Sequential {
            Conv2d(3, 4, kernelSize: 1)
            ReLU()
            Sequential { Conv2d(4, 4, kernelSize: 1, bias: false); BatchNorm2d(4) }.key("downsample")
            Conv2d(4, 4, kernelSize: 1).key("fc.0")
        }.key("features")
        let g = try Tracer.trace(net, name: "m", input: [1, 3, 4, 4])
        #expect(g.parameterKeys.map(\.key) == [
            "features.0.weight", "features.0.bias",
            "features.downsample.0.weight",
            "features.downsample.1.weight", "features.downsample.1.bias",
            "features.downsample.1.running_mean", "features.downsample.1.running_var",
            "features.fc.0.weight", "features.fc.0.bias",
        ])
    }

    @Test func loopsAndConditionalsInBuilders() throws {
        let blocks = 3
        let net = Chain {
            for i in 0..<blocks {
                if i % 2 == 0 { Conv2d(2, 2, kernelSize: 1).key("even\(i)") } else { ReLU() }
            }
        }
        let g = try Tracer.trace(net, name: "m", input: [1, 2, 4, 4])
        #expect(g.parameterKeys.map(\.key) == ["even0.weight", "even0.bias", "even2.weight", "even2.bias"])
        #expect(g.nodes.count == 4)
    }
}
