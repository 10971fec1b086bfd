/// Computes a node's output shape from its inputs and constants, or says which layer is wrong.
public enum ShapeInference {
    public static func infer(_ op: Op, inputs: [Shape], constants: [Shape], layer: String) throws -> Shape {
        func fail(_ detail: String) -> IRError { .shapeMismatch(layer: layer, detail: detail) }
        func requireRank4(_ s: Shape, _ what: String) throws {
            guard s.rank == 4 else { throw fail("\(what) expects a 4-D NCHW input, got \(s)") }
        }
        func requireAxis(_ axis: Int, _ s: Shape, _ what: String) throws {
            guard axis >= 0, axis < s.rank else { throw fail("\(what): axis \(axis) is out of range for \(s)") }
        }
        switch op {
        case .input:
            return inputs.first ?? []
        case .conv2d(let a, let hasBias):
            let x = inputs[0]
            try requireRank4(x, "Conv2d")
            let w = constants[0]
            let cin = x[1]
            guard w.rank == 4, w[0] == a.outChannels, w[1] * a.groups == cin else {
                throw fail("Conv2d weight \(w) does not fit input \(x) (expected [\(a.outChannels), \(cin / max(a.groups, 1)), kh, kw])")
            }
            let biasShape: Shape = a.residualScale ? [2, a.outChannels] : [a.outChannels]
            if hasBias, constants[1] != biasShape {
                throw fail("Conv2d bias \(constants[1]) should be \(biasShape)")
            }
            if a.residualScale, !hasBias || !a.hasResidual {
                throw fail("a scaled residual needs a residual and a bias to hold its scale")
            }
            if let d = a.prologue {
                let first = DepthwisePrologue.firstConstant(convHasBias: hasBias)
                guard constants.count == first + (d.hasBias ? 2 : 1), constants[first] == [cin, 1, d.kernelH, d.kernelW],
                      !d.hasBias || constants[first + 1] == [cin],
                      2 * d.padH == (d.kernelH - 1) * d.dilationH, 2 * d.padW == (d.kernelW - 1) * d.dilationW else {
                    throw fail("depthwise prologue \(d.kernelH)x\(d.kernelW) (padding \(d.padH)) does not fit input \(x) with constants \(constants.dropFirst(first).map(\.description))")
                }
            }
            let oh = outputSize(x[2], a.kernelH, a.strideH, a.padH, a.dilationH)
            let ow = outputSize(x[3], a.kernelW, a.strideW, a.padW, a.dilationW)
            guard oh > 0, ow > 0 else {
                throw fail("input \(x) is too small for a \(a.kernelH)x\(a.kernelW) kernel (dilation \(a.dilationH), padding \(a.padH)): output would be \(oh)x\(ow)")
            }
            let y: Shape = [x[0], a.outChannels, oh, ow]
            if a.hasResidual, inputs.count > 1, inputs[1] != y {
                throw fail("residual \(inputs[1]) does not match the conv output \(y)")
            }
            if a.hasGate, a.hasResidual || inputs.count != 2 || inputs[1] != y {
                throw fail("gate \(inputs.dropFirst().map(\.description)) does not match the conv output \(y)"
                           + (a.hasResidual ? " (or comes with a residual)" : ""))
            }
            return y
        case .batchNorm2d, .scaleShift:
            let x = inputs[0]
            try requireRank4(x, "BatchNorm2d")
            for c in constants where c != [x[1]] {
                throw fail("per-channel parameter \(c) does not match the input's \(x[1]) channels (input \(x))")
            }
            return x
        case .activation:
            return inputs[0]
        case .constant:
            return constants[0]
        case .binary(let op, _):
            guard let shape = broadcast(inputs[0], inputs[1]) else {
                throw fail("cannot \(op) tensors of shapes \(inputs[0]) and \(inputs[1])")
            }
            return shape
        case .mulAdd:
            guard let ab = broadcast(inputs[0], inputs[1]), let shape = broadcast(ab, inputs[2]) else {
                throw fail("cannot multiply-add tensors of shapes \(inputs[0]), \(inputs[1]) and \(inputs[2])")
            }
            return shape
        case .maxPool2d(let a):
            let x = inputs[0]
            try requireRank4(x, "MaxPool2d")
            let oh = outputSize(x[2], a.kernelH, a.strideH, a.padH, 1)
            let ow = outputSize(x[3], a.kernelW, a.strideW, a.padW, 1)
            guard oh > 0, ow > 0 else { throw fail("input \(x) is too small for a \(a.kernelH)x\(a.kernelW) pool") }
            return [x[0], x[1], oh, ow]
        case .globalAvgPool:
            let x = inputs[0]
            try requireRank4(x, "AdaptiveAvgPool2d")
            return [x[0], x[1], 1, 1]
        case .linear(let outFeatures, let hasBias):
            let x = inputs[0]
            let w = constants[0]
            guard x.rank == 2 else { throw fail("Linear expects a 2-D [N, features] input, got \(x)") }
            guard w == [outFeatures, x[1]] else {
                throw fail("Linear weight \(w) does not fit input \(x) (expected [\(outFeatures), \(x[1])])")
            }
            if hasBias, constants[1] != [outFeatures] {
                throw fail("Linear bias \(constants[1]) should be [\(outFeatures)]")
            }
            return [x[0], outFeatures]
        case .softmax(let axis):
            try requireAxis(axis, inputs[0], "Softmax")
            return inputs[0]
        case .layerNorm(let axis, _):
            let x = inputs[0]
            try requireAxis(axis, x, "LayerNorm")
            for c in constants where c != [x[axis]] {
                throw fail("LayerNorm parameter \(c) does not match the \(x[axis]) features of axis \(axis) (input \(x))")
            }
            return x
        case .groupNorm(let groups, _):
            let x = inputs[0]
            try requireRank4(x, "GroupNorm")
            guard groups > 0, x[1] % groups == 0 else { throw fail("GroupNorm: \(x[1]) channels are not divisible by \(groups) groups") }
            for c in constants where c != [x[1]] {
                throw fail("GroupNorm parameter \(c) does not match the input's \(x[1]) channels (input \(x))")
            }
            return x
        case .shuffleAttention(let groups, _):
            let x = inputs[0]
            try requireRank4(x, "ShuffleAttention")
            guard groups > 0, x[1] % (2 * groups) == 0 else {
                throw fail("ShuffleAttention: \(x[1]) channels do not split into \(groups) groups of two halves")
            }
            for c in constants where c.count != x[1] / (2 * groups) {
                throw fail("ShuffleAttention parameter \(c) does not hold the \(x[1] / (2 * groups)) values of a half-group (input \(x))")
            }
            return x
        case .concat(let axis):
            let first = inputs[0]
            try requireAxis(axis, first, "cat")
            var total = 0
            for s in inputs {
                var a = s.dims, b = first.dims
                guard a.count == b.count else { throw fail("cannot concatenate \(first) and \(s): ranks differ") }
                a[axis] = 0; b[axis] = 0
                guard a == b else { throw fail("cannot concatenate \(first) and \(s) along axis \(axis)") }
                total += s[axis]
            }
            var out = first
            out.dims[axis] = total
            return out
        case .reshape(let shape):
            guard shape.count == inputs[0].count else {
                throw fail("cannot view \(inputs[0]) (\(inputs[0].count) elements) as \(shape) (\(shape.count))")
            }
            return shape
        case .permute(let order):
            let x = inputs[0]
            guard order.sorted() == Array(0..<x.rank) else { throw fail("permute order \(order) does not fit rank \(x.rank)") }
            return Shape(order.map { x[$0] })
        case .slice(let axis, let start, let end):
            let x = inputs[0]
            try requireAxis(axis, x, "slice")
            guard 0 <= start, start < end, end <= x[axis] else {
                throw fail("slice \(start)..<\(end) of axis \(axis) is out of bounds for \(x)")
            }
            var out = x
            out.dims[axis] = end - start
            return out
        }
    }

    /// NumPy broadcasting: align right, each pair equal or one of them 1.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        let rank = max(a.rank, b.rank)
        let pa = Array(repeating: 1, count: rank - a.rank) + a.dims
        let pb = Array(repeating: 1, count: rank - b.rank) + b.dims
        var out: [Int] = []
        for (x, y) in zip(pa, pb) {
            guard x == y || x == 1 || y == 1 else { return nil }
            out.append(x == 1 ? y : x)
        }
        return Shape(out)
    }

    /// PyTorch's output size formula for convolution and pooling.
    static func outputSize(_ size: Int, _ kernel: Int, _ stride: Int, _ pad: Int, _ dilation: Int) -> Int {
        let span = dilation * (kernel - 1) + 1
        let padded = size + 2 * pad
        return padded < span ? 0 : (padded - span) / stride + 1
    }
}
