/// Computes a node's output shape from its inputs and constants, or says which layer is wrong.
public enum ShapeInference {
    public static func infer(_ op: Op, inputs: [Shape], constants: [Shape], layer: String) throws -> Shape {
        func fail(_ detail: String) -> IRError { .shapeMismatch(layer: layer, detail: detail) }
        func requireRank4(_ s: Shape, _ what: String) throws {
            guard s.rank == 4 else { throw fail("\(what) expects a 4-D NCHW input, got \(s)") }
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
            if hasBias, constants[1] != [a.outChannels] {
                throw fail("Conv2d bias \(constants[1]) should be [\(a.outChannels)]")
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
            return y
        case .batchNorm2d, .scaleShift:
            let x = inputs[0]
            try requireRank4(x, "BatchNorm2d")
            for c in constants where c != [x[1]] {
                throw fail("per-channel parameter \(c) does not match the input's \(x[1]) channels (input \(x))")
            }
            return x
        case .relu:
            return inputs[0]
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
        case .flatten:
            let x = inputs[0]
            return [x[0], x.dims.dropFirst().reduce(1, *)]
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
        case .add:
            guard inputs[0] == inputs[1] else {
                throw fail("cannot add tensors of shapes \(inputs[0]) and \(inputs[1])")
            }
            return inputs[0]
        }
    }

    /// PyTorch's output size formula for convolution and pooling.
    static func outputSize(_ size: Int, _ kernel: Int, _ stride: Int, _ pad: Int, _ dilation: Int) -> Int {
        let span = dilation * (kernel - 1) + 1
        let padded = size + 2 * pad
        return padded < span ? 0 : (padded - span) / stride + 1
    }
}
