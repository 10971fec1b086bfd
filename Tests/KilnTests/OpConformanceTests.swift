import Kiln
import Testing

/// Each op, compiled to C, against the scalar reference on seeded weights and inputs.
struct OpConformanceTests {
    struct ConvCase: CustomStringConvertible, Sendable {
        var input: [Int]
        var out: Int
        var kernel: (Int, Int)
        var stride = (1, 1), padding = (0, 0), dilation = (1, 1)
        var groups = 1
        var bias = true
        var description: String {
            "x\(input) -> \(out) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups)\(bias ? " bias" : "")"
        }
    }

    static let convCases: [ConvCase] = [
        ConvCase(input: [1, 3, 17, 19], out: 8, kernel: (3, 3), padding: (1, 1)),
        ConvCase(input: [2, 16, 9, 9], out: 13, kernel: (1, 1), bias: false),
        ConvCase(input: [1, 3, 23, 21], out: 16, kernel: (7, 7), stride: (2, 2), padding: (3, 3)),
        ConvCase(input: [1, 8, 12, 10], out: 12, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 4),
        ConvCase(input: [2, 6, 15, 15], out: 9, kernel: (3, 3), padding: (2, 2), dilation: (2, 2), groups: 3),
        ConvCase(input: [1, 5, 11, 13], out: 7, kernel: (3, 5), stride: (1, 2), padding: (1, 0)),
        ConvCase(input: [1, 12, 14, 14], out: 12, kernel: (5, 5), padding: (2, 2), groups: 12),
        ConvCase(input: [1, 4, 25, 25], out: 4, kernel: (7, 7), padding: (9, 9), dilation: (3, 3), groups: 4),
        ConvCase(input: [2, 8, 9, 7], out: 8, kernel: (3, 3), stride: (2, 2), padding: (1, 1), groups: 8, bias: false),
        ConvCase(input: [1, 64, 7, 7], out: 70, kernel: (3, 3), padding: (1, 1)),
    ]

    @Test(arguments: convCases)
    func conv2d(_ c: ConvCase) throws {
        let conv = Conv2d(c.input[1], c.out, kernelSize: c.kernel, stride: c.stride, padding: c.padding,
                          dilation: c.dilation, groups: c.groups, bias: c.bias).key("conv")
        let shape = Shape(c.input)
        let (y, x, _) = try runSeeded(conv, shape: shape)
        let w = seeded("conv.weight", [c.out, c.input[1] / c.groups, c.kernel.0, c.kernel.1])
        let (expected, _) = Reference.conv2d(x, shape, weight: w, bias: c.bias ? seeded("conv.bias", [c.out]) : nil,
                                             outChannels: c.out, kernel: c.kernel, stride: c.stride, padding: c.padding,
                                             dilation: c.dilation, groups: c.groups)
        #expect(maxAbsDiff(y, expected) < 1e-4)
    }

    /// Conv → BN → ReLU with a residual: exercises folding and every fused epilogue.
    @Test(arguments: [[1, 8, 10, 10], [3, 8, 7, 9]])
    func convBatchNormResidualReLU(_ dims: [Int]) throws {
        let c = dims[1]
        let net = Residual {
            Conv2d(c, c, kernelSize: 3, padding: 1, bias: false).key("conv")
            BatchNorm2d(c).key("bn")
        }
        let (y, x, model) = try runSeeded(Chain { net; ReLU() }, shape: Shape(dims))
        let (conv, s) = Reference.conv2d(x, Shape(dims), weight: seeded("conv.weight", [c, c, 3, 3]), bias: nil, outChannels: c,
                                         kernel: (3, 3), stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1)
        let bn = Reference.batchNorm(conv, s, gamma: seeded("bn.weight", [c]), beta: seeded("bn.bias", [c]),
                                     mean: seeded("bn.running_mean", [c]), variance: seeded("bn.running_var", [c]), eps: 1e-5)
        let expected = Reference.relu(zip(bn, x).map { $0 + $1 })
        #expect(maxAbsDiff(y, expected) < 1e-4)
        // Folded and fused into one kernel: input, conv.
        #expect(model.graph.nodes.count == 2)
    }

    /// BN → conv: folded into the conv's weight and bias when the conv is unpadded (every tap reads
    /// a normalised value), kept as its own pass when padding would read zeros instead.
    /// input dims, kernel, stride, padding, groups
    @Test(arguments: [[1, 8, 9, 9, 1, 1, 0, 1], [2, 8, 7, 9, 2, 2, 0, 2], [1, 4, 6, 6, 3, 1, 1, 1]])
    func batchNormThenConv(_ c: [Int]) throws {
        let (dims, k, stride, pad, groups) = (Array(c[0..<4]), c[4], c[5], c[6], c[7])
        let channels = dims[1]
        let net = Chain {
            BatchNorm2d(channels).key("bn")
            Conv2d(channels, 6, kernelSize: k, stride: stride, padding: pad, groups: groups).key("conv")
        }
        let (y, x, model) = try runSeeded(net, shape: Shape(dims))
        let bn = Reference.batchNorm(x, Shape(dims), gamma: seeded("bn.weight", [channels]), beta: seeded("bn.bias", [channels]),
                                     mean: seeded("bn.running_mean", [channels]), variance: seeded("bn.running_var", [channels]),
                                     eps: 1e-5)
        let (expected, _) = Reference.conv2d(bn, Shape(dims), weight: seeded("conv.weight", [6, channels / groups, k, k]),
                                             bias: seeded("conv.bias", [6]), outChannels: 6, kernel: (k, k), stride: (stride, stride),
                                             padding: (pad, pad), dilation: (1, 1), groups: groups)
        #expect(maxAbsDiff(y, expected) < 1e-4)
        #expect(model.graph.nodes.count == (pad == 0 ? 2 : 3))
    }

    @Test func standaloneBatchNormAndReLU() throws {
        let shape: Shape = [2, 5, 6, 7]
        let (y, x, _) = try runSeeded(Chain { BatchNorm2d(5, eps: 1e-3).key("bn"); ReLU() }, shape: shape)
        let bn = Reference.batchNorm(x, shape, gamma: seeded("bn.weight", [5]), beta: seeded("bn.bias", [5]),
                                     mean: seeded("bn.running_mean", [5]), variance: seeded("bn.running_var", [5]), eps: 1e-3)
        #expect(maxAbsDiff(y, Reference.relu(bn)) < 1e-5)
    }

    /// input dims, kernel, stride, padding
    @Test(arguments: [[1, 3, 16, 16, 3, 2, 1], [2, 4, 9, 11, 2, 2, 0], [1, 2, 7, 7, 3, 1, 1]])
    func maxPool(_ c: [Int]) throws {
        let (dims, kernel, stride, padding) = (Array(c[0..<4]), c[4], c[5], c[6])
        let (y, x, _) = try runSeeded(MaxPool2d(kernelSize: kernel, stride: stride, padding: padding), shape: Shape(dims))
        let (expected, _) = Reference.maxPool(x, Shape(dims), kernel: kernel, stride: stride, padding: padding)
        #expect(y == expected)
    }

    @Test(arguments: [[1, 16, 7, 7], [3, 10, 5, 3]])
    func globalPoolFlattenLinear(_ dims: [Int]) throws {
        let c = dims[1]
        let net = Chain { AdaptiveAvgPool2d(1); Flatten(); Linear(c, 11).key("fc") }
        let (y, x, _) = try runSeeded(net, shape: Shape(dims))
        let pooled = Reference.globalAvgPool(x, Shape(dims))
        let expected = Reference.linear(pooled, batch: dims[0], weight: seeded("fc.weight", [11, c]), bias: seeded("fc.bias", [11]),
                                        inFeatures: c, outFeatures: 11)
        #expect(maxAbsDiff(y, expected) < 1e-5)
    }

    /// Two branches added with nothing to fuse into: the standalone add kernel.
    @Test func addOfPools() throws {
        let shape: Shape = [1, 3, 8, 8]
        let net = Residual { MaxPool2d(kernelSize: 3, stride: 1, padding: 1) } shortcut: { ReLU() }
        let (y, x, _) = try runSeeded(net, shape: shape)
        let (pooled, _) = Reference.maxPool(x, shape, kernel: 3, stride: 1, padding: 1)
        #expect(maxAbsDiff(y, zip(pooled, Reference.relu(x)).map { $0 + $1 }) < 1e-6)
    }
}
