import Foundation
import Kiln
import Testing

/// The ops the attention networks need, each compiled to C and checked against a scalar
/// Swift reference on seeded data (odd shapes, batch > 1).
struct AttentionOpTests {
    /// A layer written inline, as a test's own little network.
    struct Lambda: Layer {
        let body: (Tensor) throws -> Tensor
        func forward(_ x: Tensor) throws -> Tensor { try body(x) }
    }

    func run(_ shape: Shape, _ body: @escaping (Tensor) throws -> Tensor) throws -> (y: [Float], x: [Float], shape: Shape) {
        let (y, x, model) = try runSeeded(Lambda(body: body), shape: shape)
        return (y, x, model.outputShape)
    }

    /// Index helpers for dense row-major tensors.
    func strides(_ s: [Int]) -> [Int] { (0..<s.count).map { s[($0 + 1)...].reduce(1, *) } }

    @Test func activations() throws {
        let shape: Shape = [2, 3, 5, 7]
        let (sig, x, _) = try run(shape) { try $0.sigmoid() }
        #expect(maxAbsDiff(sig, x.map { 1 / (1 + exp(-$0)) }) < 1e-6)
        let (gelu, _, _) = try run(shape) { try ($0 * $0 + $0).gelu() }
        let expected = x.map { v -> Float in let u = Double(v * v + v); return Float(0.5 * u * (1 + erf(u / 2.0.squareRoot()))) }
        #expect(maxAbsDiff(gelu, expected) < 1e-6)
    }

    @Test(arguments: [0, 1, 2, 3])
    func softmax(axis: Int) throws {
        let dims = [2, 4, 3, 5]
        let (y, x, _) = try run(Shape(dims)) { try $0.softmax(dim: axis) }
        let st = strides(dims)
        var expected = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count where (i / st[axis]) % dims[axis] == 0 {
            let idx = (0..<dims[axis]).map { i + $0 * st[axis] }
            let m = idx.map { x[$0] }.max()!
            let e = idx.map { exp(Double(x[$0] - m)) }
            let sum = e.reduce(0, +)
            for (j, k) in idx.enumerated() { expected[k] = Float(e[j] / sum) }
        }
        #expect(maxAbsDiff(y, expected) < 1e-6)
    }

    /// A row of pixels shorter than a vector, and VAN's 7² shape with fewer channels: whole
    /// vectors of pixels and a ragged end of one pixel, each row split between the threads.
    @Test(arguments: [[2, 6, 3, 5], [1, 40, 7, 7]])
    func layerNormOverChannels(dims: [Int]) throws {
        let (n, c, pixels) = (dims[0], dims[1], dims[2] * dims[3])
        let (y, x, _) = try run(Shape(dims)) { try LayerNorm(c, eps: 1e-6, dim: 1).key("ln").forward($0) }
        let (w, b) = (seeded("ln.weight", [c]), seeded("ln.bias", [c]))
        var expected = [Float](repeating: 0, count: x.count)
        for image in 0..<n { for p in 0..<pixels {
            let idx = (0..<c).map { (image * c + $0) * pixels + p }
            let mean = idx.reduce(0.0) { $0 + Double(x[$1]) } / Double(c)
            let variance = idx.reduce(0.0) { $0 + pow(Double(x[$1]) - mean, 2) } / Double(c)
            for (k, i) in idx.enumerated() { expected[i] = Float((Double(x[i]) - mean) / (variance + 1e-6).squareRoot()) * w[k] + b[k] }
        } }
        #expect(maxAbsDiff(y, expected) < 1e-5)
    }

    @Test(arguments: [1, 2, 6])
    func groupNorm(groups: Int) throws {
        let dims = [2, 6, 4, 3]
        let (y, x, _) = try run(Shape(dims)) { try GroupNorm(groups, 6).key("gn").forward($0) }
        let (w, b) = (seeded("gn.weight", [6]), seeded("gn.bias", [6]))
        let per = 6 / groups * 12
        var expected = [Float](repeating: 0, count: x.count)
        for block in 0..<(2 * groups) {
            let idx = Array(block * per ..< (block + 1) * per)
            let mean = idx.reduce(0.0) { $0 + Double(x[$1]) } / Double(per)
            let variance = idx.reduce(0.0) { $0 + pow(Double(x[$1]) - mean, 2) } / Double(per)
            for i in idx {
                let c = (i / 12) % 6
                expected[i] = Float((Double(x[i]) - mean) / (variance + 1e-5).squareRoot()) * w[c] + b[c]
            }
        }
        #expect(maxAbsDiff(y, expected) < 1e-5)
    }

    /// SA-Net's fused shuffle attention against the official module's steps, written out:
    /// halves gated by pooled means and by per-channel norms, then the 2-group channel shuffle.
    @Test func shuffleAttention() throws {
        let (n, c, hw, groups) = (2, 8, 35, 2)  // 35 pixels: a vector tail
        let (y, x, _) = try run([n, c, 5, 7]) { try ShuffleAttention(channels: c, groups: groups).key("sa").forward($0) }
        let half = c / (2 * groups)
        let p = ["cweight", "cbias", "sweight", "sbias", "gn.weight", "gn.bias"].map { seeded("sa." + $0, $0.hasPrefix("gn") ? [half] : [1, half, 1, 1]) }
        var expected = [Float](repeating: 0, count: x.count)
        for i in 0..<n { for ch in 0..<c {
            let plane = Array(x[(i * c + ch) * hw ..< (i * c + ch + 1) * hw]).map(Double.init)
            let mean = plane.reduce(0, +) / Double(hw)
            let variance = plane.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(hw)
            let j = ch % (c / groups), k = j % half
            let gate: (Double) -> Double = j < half
                ? { _ in Double(p[0][k]) * mean + Double(p[1][k]) }
                : { v in Double(p[2][k]) * ((v - mean) / (variance + 1e-5).squareRoot() * Double(p[4][k]) + Double(p[5][k])) + Double(p[3][k]) }
            let out = (ch % (c / 2)) * 2 + ch / (c / 2)
            for (q, v) in plane.enumerated() { expected[(i * c + out) * hw + q] = Float(v / (1 + exp(-gate(v)))) }
        } }
        #expect(maxAbsDiff(y, expected) < 1e-5)
    }

    @Test func shuffleAttentionNamesTheLayerOnABadChannelCount() throws {
        do {
            _ = try run([1, 6, 4, 4]) { try ShuffleAttention(channels: 6, groups: 2).key("sa").forward($0) }
            Issue.record("6 channels in 2 groups of halves compiled")
        } catch let error as IRError {
            #expect(error == .shapeMismatch(layer: "sa", detail: "ShuffleAttention(6, groups: 2) expects [N, 6, H, W] with 6 divisible by 4, got [1, 6, 4, 4]"))
        }
    }

    @Test(arguments: [3, 5])
    func conv1dAcrossChannels(kernel: Int) throws {
        // ECA's use: [N, 1, C] with zero padding k/2.
        let (y, x, _) = try run([2, 1, 1, 11]) { x in
            try Conv1d(1, 1, kernelSize: kernel, padding: kernel / 2, bias: false).key("conv").forward(try x.view(2, 1, 11))
        }
        let w = seeded("conv.weight", [1, 1, kernel])
        var expected: [Float] = []
        for n in 0..<2 { for i in 0..<11 {
            var acc = 0.0
            for k in 0..<kernel where (0..<11).contains(i + k - kernel / 2) { acc += Double(w[k]) * Double(x[n * 11 + i + k - kernel / 2]) }
            expected.append(Float(acc))
        } }
        #expect(maxAbsDiff(y, expected) < 1e-6)
    }

    @Test func broadcastingArithmeticAndLearnedParameters() throws {
        let dims = [2, 3, 4, 5]
        let (y, x, _) = try run(Shape(dims)) { x in
            let scale = try x.builder.parameterTensor("layer_scale", [3]).view(3, 1, 1)
            let gate = try x.globalAvgPool().sigmoid()          // [2, 3, 1, 1]
            return try x * gate + scale * x + scale
        }
        let s = seeded("layer_scale", [3])
        let pooled = Reference.globalAvgPool(x, Shape(dims)).map { 1 / (1 + exp(-$0)) }
        let expected = x.enumerated().map { i, v -> Float in
            let (n, c) = (i / 60, (i / 20) % 3)
            return v * pooled[n * 3 + c] + s[c] * v + s[c]
        }
        #expect(maxAbsDiff(y, expected) < 1e-5)
    }

    @Test func concatSliceViewPermuteShuffle() throws {
        let dims = [2, 6, 3, 4]
        let (y, x, shape) = try run(Shape(dims)) { x in
            let parts = try x.chunk(3, dim: 1)                                   // three [2, 2, 3, 4]
            let joined = try Tensor.cat([parts[2], parts[0], parts[1]], dim: 1)  // reorder the chunks
            return try joined.channelShuffle(groups: 2).transpose(2, 3)         // [2, 6, 4, 3]
        }
        #expect(shape == [2, 6, 4, 3])
        let order = [4, 5, 0, 1, 2, 3]                                           // channel sources after cat
        let shuffled = (0..<6).map { order[($0 % 2) * 3 + $0 / 2] }             // view(2, 3), transpose
        var expected: [Float] = []
        for n in 0..<2 { for c in 0..<6 { for w in 0..<4 { for h in 0..<3 {
            expected.append(x[((n * 6 + shuffled[c]) * 3 + h) * 4 + w])
        } } } }
        #expect(y == expected)
    }

    @Test func sharedModuleReusesItsWeights() throws {
        let graph = try Tracer.trace(Lambda { x in
            let conv = Shared(Conv2d(3, 3, kernelSize: 1).key("shared"))
            return try conv.forward(try conv.forward(x))
        }, name: "m", input: [1, 3, 4, 4])
        #expect(graph.parameterKeys.map(\.key) == ["shared.weight", "shared.bias"])
    }
}
