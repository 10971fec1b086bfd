import KilnDSL
import KilnIR
import Testing

/// A table of user mistakes in DSL models and the exact message each gets: it names the
/// module path and the shapes involved, before any C is written.
struct ModelErrorTests {
    struct Case: CustomStringConvertible, @unchecked Sendable {
        var description: String
        var input: Shape
        var layer: any Layer
        var message: String
    }

    static let cases: [Case] = [
        Case(description: "conv channel mismatch", input: [1, 3, 16, 16], layer: Chain {
            Conv2d(3, 8, kernelSize: 3).key("a")
            Conv2d(4, 8, kernelSize: 3).key("b")
        }, message: "layer 'b': Conv2d expects [N, 4, H, W] input, got [1, 8, 14, 14]"),
        Case(description: "groups do not divide channels", input: [1, 6, 8, 8],
             layer: Sequential { Conv2d(6, 8, kernelSize: 1, groups: 4) },
             message: "layer '0': Conv2d channels (6 in, 8 out) are not divisible by groups 4"),
        Case(description: "kernel larger than padded input", input: [1, 3, 4, 4],
             layer: Conv2d(3, 8, kernelSize: 7).key("stem"),
             message: "layer 'stem': input [1, 3, 4, 4] is too small for a 7x7 kernel (dilation 1, padding 0): output would be 0x0"),
        Case(description: "residual shape mismatch", input: [1, 4, 8, 8],
             layer: Residual { Conv2d(4, 8, kernelSize: 1).key("conv") }.key("block"),
             message: "layer 'block': cannot add tensors of shapes [1, 8, 8, 8] and [1, 4, 8, 8]"),
        Case(description: "linear in-features mismatch", input: [1, 4, 2, 2],
             layer: Chain { Flatten(); Linear(8, 10).key("fc") },
             message: "layer 'fc': Linear expects [N, 8] input, got [1, 16]"),
        Case(description: "linear on 4-D input", input: [1, 4, 2, 2], layer: Linear(4, 10).key("fc"),
             message: "layer 'fc': Linear expects [N, 4] input, got [1, 4, 2, 2]"),
        Case(description: "batchnorm width", input: [1, 4, 2, 2], layer: Sequential { BatchNorm2d(5) }.key("features"),
             message: "layer 'features.0': BatchNorm2d expects [N, 5, H, W] input, got [1, 4, 2, 2]"),
        Case(description: "duplicate module names", input: [1, 3, 8, 8], layer: Chain {
            Conv2d(3, 3, kernelSize: 1).key("conv")
            Conv2d(3, 3, kernelSize: 1).key("conv")
        }, message: "two parameters of the model have the key 'conv.weight'; give the modules distinct names"),
        Case(description: "unnamed parameters collide", input: [1, 3, 8, 8], layer: Chain {
            Conv2d(3, 3, kernelSize: 1)
            Conv2d(3, 3, kernelSize: 1)
        }, message: "two parameters of the model have the key 'weight'; give the modules distinct names"),
        Case(description: "empty module name", input: [1, 3, 8, 8], layer: Conv2d(3, 3, kernelSize: 1).key(""),
             message: "model: module name '' must be non-empty and contain no '.'"),
        Case(description: "zero stride", input: [1, 3, 8, 8], layer: Conv2d(3, 3, kernelSize: 1, stride: 0).key("c"),
             message: "layer 'c': Conv2d kernel, stride and dilation must be positive and padding non-negative"),
        Case(description: "pool too large", input: [1, 3, 2, 2], layer: MaxPool2d(kernelSize: 3).key("pool"),
             message: "layer 'pool': input [1, 3, 2, 2] is too small for a 3x3 pool"),
    ]

    @Test(arguments: cases)
    func rejected(_ c: Case) {
        #expect {
            _ = try Tracer.trace(c.layer, name: "m", input: c.input)
        } throws: { error in
            "\(error)" == c.message
        }
    }

    @Test func messagesAreReportedBeforeCodegen() throws {
        let error = try #require(throws: IRError.self) {
            _ = try Tracer.trace(Conv2d(8, 8, kernelSize: 3).key("conv1"), name: "m", input: [1, 3, 8, 8])
        }
        #expect(error == .shapeMismatch(layer: "conv1", detail: "Conv2d expects [N, 8, H, W] input, got [1, 3, 8, 8]"))
    }
}
