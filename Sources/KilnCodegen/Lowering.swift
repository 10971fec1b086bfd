import KilnIR

/// One kernel call: the template instance to paste and the call's argument expressions.
struct KernelCall {
    var instance: KernelInstance
    /// Argument expressions after the function name, e.g. `["arena + 0", "w + 128", "NULL", ...]`.
    var arguments: [String]
}

/// Maps each IR op to its template calls. Views and constants produce no code.
enum Lowering {
    /// Pointer expressions for values and constants, chosen by the caller from the memory plan.
    struct Pointers {
        var value: (ValueID) -> String
        var constant: (ConstID) -> String
    }

    static func lower(_ id: ValueID, in g: Graph, _ ptr: Pointers) throws -> [KernelCall] {
        let node = g.nodes[id]
        let inputShapes = node.inputs.map { g.nodes[$0].shape }
        let y = node.shape
        let out = ptr.value(id)
        let x = node.inputs.first.map(ptr.value) ?? ""
        func call(_ template: String, _ params: [(String, Int)], _ args: [String], scratch: Int = 0) -> [KernelCall] {
            [KernelCall(instance: KernelInstance(template: template, params: params, scratchFloats: scratch), arguments: args)]
        }
        switch node.op {
        case .input, .constant, .reshape:
            return []
        case .conv2d(let a, let hasBias):
            return try conv(node, a, hasBias: hasBias, input: inputShapes[0], ptr: ptr, out: out)
        case .scaleShift(let act):
            let s = inputShapes[0]
            return call("norm/scale_shift.c", [("KILN_N", s[0]), ("KILN_C", s[1]), ("KILN_HW", s[2] * s[3]), ("KILN_ACT", act.code)],
                        [x, ptr.constant(node.constants[0]), ptr.constant(node.constants[1]), out])
        case .activation(let act):
            return call("eltwise/unary.c", [("KILN_COUNT", y.count), ("KILN_ACT", act.code)], [x, out])
        case .binary(let op, let act):
            let a = broadcastStrides(inputShapes[0], to: y), b = broadcastStrides(inputShapes[1], to: y)
            var p = dims6(y).enumerated().map { ("KILN_D\($0)", $1) }
            p += a.enumerated().map { ("KILN_AS\($0)", $1) } + b.enumerated().map { ("KILN_BS\($0)", $1) }
            p += [("KILN_OP", op == .add ? 0 : 1), ("KILN_ACT", act.code)]
            return call("eltwise/binary.c", p, [x, ptr.value(node.inputs[1]), out])
        case .maxPool2d(let a):
            let s = inputShapes[0]
            return call("pool/maxpool2d.c", [
                ("KILN_N", s[0]), ("KILN_C", s[1]), ("KILN_H", s[2]), ("KILN_W", s[3]), ("KILN_OH", y[2]), ("KILN_OW", y[3]),
                ("KILN_KH", a.kernelH), ("KILN_KW", a.kernelW), ("KILN_SH", a.strideH), ("KILN_SW", a.strideW),
                ("KILN_PH", a.padH), ("KILN_PW", a.padW)], [x, out])
        case .globalAvgPool:
            let s = inputShapes[0]
            return call("pool/global_avgpool.c", [("KILN_N", s[0]), ("KILN_C", s[1]), ("KILN_HW", s[2] * s[3])], [x, out])
        case .linear(let outFeatures, let hasBias):
            let s = inputShapes[0]
            return call("linear/linear.c", [("KILN_N", s[0]), ("KILN_IN", s[1]), ("KILN_OUT", outFeatures),
                                            ("KILN_HAS_BIAS", hasBias ? 1 : 0), ("KILN_ACT", 0)],
                        [x, ptr.constant(node.constants[0]), hasBias ? ptr.constant(node.constants[1]) : "NULL", out])
        case .softmax(let axis):
            return call("norm/softmax.c", splitAt(axis, y), [x, out])
        case .layerNorm(let axis, let eps):
            return call("norm/layernorm.c", splitAt(axis, y) + [("KILN_EPS_E9", epsE9(eps))],
                        [x, ptr.constant(node.constants[0]), ptr.constant(node.constants[1]), out])
        case .groupNorm(let groups, let eps):
            let s = inputShapes[0]
            return call("norm/groupnorm.c", [("KILN_N", s[0]), ("KILN_C", s[1]), ("KILN_HW", s[2] * s[3]),
                                             ("KILN_GROUPS", groups), ("KILN_EPS_E9", epsE9(eps))],
                        [x, ptr.constant(node.constants[0]), ptr.constant(node.constants[1]), out])
        case .concat(let axis):
            // Each input is a strided copy into its slab of the output.
            var offset = 0
            return zip(node.inputs, inputShapes).flatMap { input, s -> [KernelCall] in
                defer { offset += s[axis] }
                return copy(s, from: strides(s), to: strides(y), outOffset: offset * strides(y)[axis], ptr.value(input), out)
            }
        case .permute(let order):
            let s = strides(inputShapes[0])
            return copy(y, from: order.map { s[$0] }, to: strides(y), outOffset: 0, x, out)
        case .slice(let axis, let start, _):
            let s = strides(inputShapes[0])
            return copy(y, from: s, to: strides(y), inOffset: start * s[axis], outOffset: 0, x, out)
        case .batchNorm2d:
            throw CodegenError.unsupportedOp(layer: node.name, op: Printer.describe(node.op) + " (run lower-batchnorm first)")
        }
    }

    private static func conv(_ node: Node, _ a: Conv2dAttrs, hasBias: Bool, input x: Shape, ptr: Pointers, out: String) throws -> [KernelCall] {
        let y = node.shape
        var p: [(String, Int)] = [
            ("KILN_N", x[0]), ("KILN_CIN", x[1]), ("KILN_H", x[2]), ("KILN_W", x[3]),
            ("KILN_COUT", a.outChannels), ("KILN_OH", y[2]), ("KILN_OW", y[3]),
            ("KILN_KH", a.kernelH), ("KILN_KW", a.kernelW), ("KILN_SH", a.strideH), ("KILN_SW", a.strideW),
            ("KILN_PH", a.padH), ("KILN_PW", a.padW), ("KILN_DH", a.dilationH), ("KILN_DW", a.dilationW),
            ("KILN_GROUPS", a.groups),
        ]
        var template = "conv/conv2d_depthwise.c"
        var scratch = 0
        if case .gemm(let rows, let cols, let tile, let chunks)? = node.schedule {
            template = "conv/conv2d_gemm.c"
            p += [("KILN_MR", rows), ("KILN_NR", cols), ("KILN_NT", tile), ("KILN_MCHUNKS", chunks)]
            scratch = x[1] / a.groups * a.kernelH * a.kernelW * (tile + cols)  // panel rows are NT+NR apart
        } else if !a.isDepthwise(inChannels: x[1]) {
            throw CodegenError.unsupportedOp(layer: node.name, op: "an unscheduled GEMM convolution")
        } else if a.strideH == 1 && a.strideW == 1 {
            // The zero-padded plane and the output at the padded width (KILN_DW_SCRATCH).
            let paddedWidth = x[3] + 2 * a.padW
            scratch = (x[2] + 2 * a.padH + 1) * paddedWidth + y[2] * paddedWidth
        }
        p += [("KILN_HAS_BIAS", hasBias ? 1 : 0), ("KILN_HAS_RESIDUAL", a.hasResidual ? 1 : 0), ("KILN_ACT", a.activation.code)]
        let args = [ptr.value(node.inputs[0]), ptr.constant(node.constants[0]),
                    hasBias ? ptr.constant(node.constants[1]) : "NULL",
                    a.hasResidual ? ptr.value(node.inputs[1]) : "NULL", out, "scratch"]
        return [KernelCall(instance: KernelInstance(template: template, params: p, scratchFloats: scratch), arguments: args)]
    }

    /// A 6-D strided copy (templates/layout/copy_strided.c) of a block of shape `shape`.
    private static func copy(_ shape: Shape, from inStrides: [Int], to outStrides: [Int], inOffset: Int = 0,
                             outOffset: Int, _ x: String, _ y: String) -> [KernelCall] {
        let pad = 6 - shape.rank
        var p = dims6(shape).enumerated().map { ("KILN_D\($0)", $1) }
        p += (Array(repeating: 0, count: pad) + inStrides).enumerated().map { ("KILN_IS\($0)", $1) }
        p += (Array(repeating: 0, count: pad) + outStrides).enumerated().map { ("KILN_OS\($0)", $1) }
        let args = [inOffset == 0 ? x : "\(x) + \(inOffset)", outOffset == 0 ? y : "\(y) + \(outOffset)"]
        return [KernelCall(instance: KernelInstance(template: "layout/copy_strided.c", params: p), arguments: args)]
    }

    /// Row-major strides in elements.
    static func strides(_ s: Shape) -> [Int] {
        var out = Array(repeating: 1, count: s.rank)
        for i in stride(from: s.rank - 2, through: 0, by: -1) { out[i] = out[i + 1] * s[i + 1] }
        return out
    }

    /// The 6 dims of `s`, padded with leading 1s.
    static func dims6(_ s: Shape) -> [Int] { Array(repeating: 1, count: 6 - s.rank) + s.dims }

    /// Strides for reading `s` broadcast to `out` (0 where `s` is broadcast), padded to 6.
    static func broadcastStrides(_ s: Shape, to out: Shape) -> [Int] {
        let padded = Shape(Array(repeating: 1, count: out.rank - s.rank) + s.dims)
        let st = strides(padded)
        let b = zip(padded.dims, out.dims).enumerated().map { i, d in d.0 == d.1 ? st[i] : 0 }
        return Array(repeating: 0, count: 6 - out.rank) + b
    }

    /// OUTER, AXIS, INNER sizes around `axis` for the reduction templates.
    static func splitAt(_ axis: Int, _ s: Shape) -> [(String, Int)] {
        [("KILN_OUTER", s.dims[..<axis].reduce(1, *)), ("KILN_AXIS", s[axis]), ("KILN_INNER", s.dims[(axis + 1)...].reduce(1, *))]
    }

    /// Macros are integers, so eps travels as eps·1e9 (1e-5 → 10000, 1e-6 → 1000).
    static func epsE9(_ eps: Float) -> Int { Int((Double(eps) * 1e9).rounded()) }
}
