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
            return elementwise(op == .add ? 0 : 1, act, node, inputShapes, ptr, out)
        case .mulAdd(let act):
            return elementwise(2, act, node, inputShapes, ptr, out)
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
        case .shuffleAttention(let groups, let eps):
            let s = inputShapes[0]
            return call("norm/shuffle_attention.c", [("KILN_N", s[0]), ("KILN_C", s[1]), ("KILN_HW", s[2] * s[3]),
                                                     ("KILN_GROUPS", groups), ("KILN_EPS_E9", epsE9(eps))],
                        [x] + node.constants.map { ptr.constant($0) } + [out])
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

    private static func conv(_ node: Node, _ a: Conv2dAttrs, hasBias: Bool, input x: Shape, ptr: Pointers,
                             out: String) throws -> [KernelCall] {
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
        if case .direct(let rows, let vectors)? = node.schedule {
            template = "conv/conv2d_direct.c"
            p += [("KILN_MR", rows), ("KILN_NV", vectors)]
            scratch = x[0] * x[1] * directPlaneFloats(a, input: x, vectors: vectors)
        } else if case .winograd(let tile, let rows, let cols, let group)? = node.schedule {
            template = "conv/conv2d_winograd.c"
            p += [("KILN_M", tile), ("KILN_MR", rows), ("KILN_NR", cols), ("KILN_TG", group)]
            // The transformed input and products of one tile group, rows of its tiles and a vector of
            // slack either side (VL <= 16): shared by the threads, or in each thread's slice when they
            // take whole groups (the caller allocates this much per thread).
            scratch = (tile + 2) * (tile + 2) * (group * cols + 32) * (x[1] + a.outChannels)
        } else if let (rows, cols, tile, chunks, channelLanes) = gemmSchedule(node.schedule) {
            template = "conv/conv2d_gemm.c"
            p += [("KILN_MR", rows), ("KILN_NR", cols), ("KILN_NT", tile), ("KILN_MCHUNKS", chunks)]
            if channelLanes { p.append(("KILN_CL", 1)) }
            // One panel a thread, K rows NT+NR apart (KCG_LDB, VL <= 16); none where the turned
            // tile reads a plain 1×1 stride-1 conv's input in place (KCG_INPLACE).
            let inPlace = channelLanes && a.prologue == nil && a.isPlainPointwise
            scratch = inPlace ? 0 : x[1] / a.groups * a.kernelH * a.kernelW * (tile + max(cols, 16))
            if let d = a.prologue {
                p += [("KILN_PRO", 1), ("KILN_PRO_KH", d.kernelH), ("KILN_PRO_KW", d.kernelW), ("KILN_PRO_PH", d.padH), ("KILN_PRO_PW", d.padW),
                      ("KILN_PRO_DH", d.dilationH), ("KILN_PRO_DW", d.dilationW),
                      ("KILN_PRO_HAS_BIAS", d.hasBias ? 1 : 0), ("KILN_PRO_ACT", d.activation.code)]
            }
        } else if a.prologue != nil || a.hasGate || a.residualScale {
            throw CodegenError.unsupportedOp(layer: node.name, op: "a depthwise prologue, a gate or a scaled residual on a convolution not scheduled as a GEMM")
        } else if !a.isDepthwise(inChannels: x[1]) {
            throw CodegenError.unsupportedOp(layer: node.name, op: "an unscheduled GEMM convolution")
        } else if a.strideH == 1 && a.strideW == 1 {
            // The zero-padded plane (KILN_DW_SCRATCH) for any vector width: 16 floats of slack a
            // row and the dropped rows of a band of up to 8.
            scratch = (x[2] + 2 * a.padH + 7 * a.dilationH) * (x[3] + 2 * a.padW + 16)
        }
        p += [("KILN_HAS_BIAS", hasBias ? 1 : 0), ("KILN_HAS_RESIDUAL", a.hasResidual ? 1 : 0), ("KILN_ACT", a.activation.code)]
        if a.hasGate { p.append(("KILN_HAS_GATE", 1)) }
        if a.residualScale { p.append(("KILN_RESIDUAL_SCALE", 1)) }
        var args = [ptr.value(node.inputs[0]), ptr.constant(node.constants[0]),
                    hasBias ? ptr.constant(node.constants[1]) : "NULL",
                    a.hasResidual || a.hasGate ? ptr.value(node.inputs[1]) : "NULL", out, "scratch"]
        if let d = a.prologue {  // its weight and bias follow the conv's own constants
            let first = DepthwisePrologue.firstConstant(convHasBias: hasBias)
            args += [ptr.constant(node.constants[first]), d.hasBias ? ptr.constant(node.constants[first + 1]) : "NULL"]
        }
        return [KernelCall(instance: KernelInstance(template: template, params: p, scratchFloats: scratch), arguments: args)]
    }

    /// The GEMM schedules' tile, either way round.
    private static func gemmSchedule(_ s: Schedule?) -> (rows: Int, cols: Int, tile: Int, chunks: Int, channelLanes: Bool)? {
        switch s {
        case .gemm(let rows, let cols, let tile, let chunks)?: return (rows, cols, tile, chunks, false)
        case .gemmChannelLanes(let rows, let cols, let tile, let chunks)?: return (rows, cols, tile, chunks, true)
        default: return nil
        }
    }

    /// Floats of one input plane's zero-padded phase planes in templates/conv/conv2d_direct.c
    /// (KDD_PLANE there). The vector width is bounded by 16 floats, which covers any target.
    static func directPlaneFloats(_ a: Conv2dAttrs, input x: Shape, vectors: Int) -> Int {
        let hq = (x[2] + 2 * a.padH + a.strideH - 1) / a.strideH
        let wq = (x[3] + 2 * a.padW + a.strideW - 1) / a.strideW
        return a.strideH * a.strideW * (hq + vectors * 16 / wq + 2) * wq
    }

    /// templates/eltwise/binary.c for `a op b` (2 inputs) or `a * b + c` (3), each operand
    /// broadcast to the output over the coalesced dims.
    private static func elementwise(_ op: Int, _ act: Activation, _ node: Node, _ inputShapes: [Shape],
                                    _ ptr: Pointers, _ out: String) -> [KernelCall] {
        let block = coalesced(node.shape.dims, inputShapes.map { broadcastStrides($0, to: node.shape) })
        var p = block.dims.enumerated().map { ("KILN_D\($0)", $1) }
        for (prefix, strides) in zip(["KILN_AS", "KILN_BS", "KILN_CS"], block.strides) {
            p += strides.enumerated().map { ("\(prefix)\($0)", $1) }
        }
        p += [("KILN_OP", op), ("KILN_ACT", act.code)]
        let operands = node.inputs.map(ptr.value) + (node.inputs.count == 2 ? ["NULL"] : [])
        return [KernelCall(instance: KernelInstance(template: "eltwise/binary.c", params: p), arguments: operands + [out])]
    }

    /// A 6-D strided copy (templates/layout/copy_strided.c) of a block of shape `shape`.
    private static func copy(_ shape: Shape, from inStrides: [Int], to outStrides: [Int], inOffset: Int = 0,
                             outOffset: Int, _ x: String, _ y: String) -> [KernelCall] {
        let block = coalesced(shape.dims, [inStrides, outStrides])
        var p = block.dims.enumerated().map { ("KILN_D\($0)", $1) }
        p += block.strides[0].enumerated().map { ("KILN_IS\($0)", $1) } + block.strides[1].enumerated().map { ("KILN_OS\($0)", $1) }
        let args = [inOffset == 0 ? x : "\(x) + \(inOffset)", outOffset == 0 ? y : "\(y) + \(outOffset)"]
        return [KernelCall(instance: KernelInstance(template: "layout/copy_strided.c", params: p), arguments: args)]
    }

    /// Row-major strides in elements.
    static func strides(_ s: Shape) -> [Int] {
        var out = Array(repeating: 1, count: s.rank)
        for i in stride(from: s.rank - 2, through: 0, by: -1) { out[i] = out[i + 1] * s[i + 1] }
        return out
    }

    /// The same strided loop nest over fewer, longer dims, padded to 6 (leading 1s, stride 0):
    /// size-1 dims go, and a dim merges into the next wherever every operand steps through both
    /// as through one (`stride[i] == stride[i+1] * dims[i+1]`, broadcast ones included). A slice
    /// of channels [64, 2, 56, 56] becomes 128 rows of 3136 floats instead of 7168 rows of 56.
    static func coalesced(_ dims: [Int], _ strides: [[Int]]) -> (dims: [Int], strides: [[Int]]) {
        var d: [Int] = [], s: [[Int]] = strides.map { _ in [] }
        for i in dims.indices where dims[i] != 1 {
            if let last = d.last, strides.indices.allSatisfy({ s[$0].last! == strides[$0][i] * dims[i] }) {
                d[d.count - 1] = last * dims[i]
                for k in s.indices { s[k][s[k].count - 1] = strides[k][i] }
            } else {
                d.append(dims[i])
                for k in s.indices { s[k].append(strides[k][i]) }
            }
        }
        let pad = 6 - d.count
        precondition(pad >= 0, "a strided block of more than 6 dims")
        return (Array(repeating: 1, count: pad) + d, s.map { Array(repeating: 0, count: pad) + $0 })
    }

    /// Strides for reading `s` broadcast to `out` (0 where `s` is broadcast).
    static func broadcastStrides(_ s: Shape, to out: Shape) -> [Int] {
        let padded = Shape(Array(repeating: 1, count: out.rank - s.rank) + s.dims)
        let st = strides(padded)
        return zip(padded.dims, out.dims).enumerated().map { i, d in d.0 == d.1 ? st[i] : 0 }
    }

    /// OUTER, AXIS, INNER sizes around `axis` for the reduction templates.
    static func splitAt(_ axis: Int, _ s: Shape) -> [(String, Int)] {
        [("KILN_OUTER", s.dims[..<axis].reduce(1, *)), ("KILN_AXIS", s[axis]), ("KILN_INNER", s.dims[(axis + 1)...].reduce(1, *))]
    }

    /// Macros are integers, so eps travels as eps·1e9 (1e-5 → 10000, 1e-6 → 1000).
    static func epsE9(_ eps: Float) -> Int { Int((Double(eps) * 1e9).rounded()) }
}
