import KilnIR

/// How one node becomes C: the kernel instance to paste and the call's arguments.
struct LoweredNode {
    var instance: KernelInstance
    /// Argument expressions after the function name, e.g. `["arena + 0", "w + 128", "NULL", ...]`.
    var arguments: [String]
}

/// Maps each IR op to its template and parameters. Views (flatten) produce no code.
enum Lowering {
    static func lower(_ node: Node, in g: Graph, value: (ValueID) -> String, constant: (ConstID) -> String)
        throws -> LoweredNode? {
        let inputShapes = node.inputs.map { g.nodes[$0].shape }
        let y = node.shape
        let out = value(-1)
        switch node.op {
        case .input, .flatten:
            return nil
        case .conv2d(let a, let hasBias):
            let x = inputShapes[0]
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
            }
            p += [("KILN_HAS_BIAS", hasBias ? 1 : 0), ("KILN_HAS_RESIDUAL", a.hasResidual ? 1 : 0),
                  ("KILN_ACT", code(a.activation))]
            let args = [value(node.inputs[0]), constant(node.constants[0]),
                        hasBias ? constant(node.constants[1]) : "NULL",
                        a.hasResidual ? value(node.inputs[1]) : "NULL", out, "scratch"]
            return LoweredNode(instance: KernelInstance(template: template, params: p, scratchFloats: scratch),
                               arguments: args)
        case .scaleShift(let act):
            let x = inputShapes[0]
            let p = [("KILN_N", x[0]), ("KILN_C", x[1]), ("KILN_HW", x[2] * x[3]), ("KILN_ACT", code(act))]
            return LoweredNode(instance: KernelInstance(template: "norm/scale_shift.c", params: p),
                               arguments: [value(node.inputs[0]), constant(node.constants[0]), constant(node.constants[1]), out])
        case .relu:
            return LoweredNode(instance: KernelInstance(template: "eltwise/relu.c", params: [("KILN_COUNT", y.count)]),
                               arguments: [value(node.inputs[0]), out])
        case .add(let act):
            let p = [("KILN_COUNT", y.count), ("KILN_ACT", code(act))]
            return LoweredNode(instance: KernelInstance(template: "eltwise/add.c", params: p),
                               arguments: [value(node.inputs[0]), value(node.inputs[1]), out])
        case .maxPool2d(let a):
            let x = inputShapes[0]
            let p = [("KILN_N", x[0]), ("KILN_C", x[1]), ("KILN_H", x[2]), ("KILN_W", x[3]),
                     ("KILN_OH", y[2]), ("KILN_OW", y[3]), ("KILN_KH", a.kernelH), ("KILN_KW", a.kernelW),
                     ("KILN_SH", a.strideH), ("KILN_SW", a.strideW), ("KILN_PH", a.padH), ("KILN_PW", a.padW)]
            return LoweredNode(instance: KernelInstance(template: "pool/maxpool2d.c", params: p),
                               arguments: [value(node.inputs[0]), out])
        case .globalAvgPool:
            let x = inputShapes[0]
            let p = [("KILN_N", x[0]), ("KILN_C", x[1]), ("KILN_HW", x[2] * x[3])]
            return LoweredNode(instance: KernelInstance(template: "pool/global_avgpool.c", params: p),
                               arguments: [value(node.inputs[0]), out])
        case .linear(let outFeatures, let hasBias):
            let x = inputShapes[0]
            let p = [("KILN_N", x[0]), ("KILN_IN", x[1]), ("KILN_OUT", outFeatures),
                     ("KILN_HAS_BIAS", hasBias ? 1 : 0), ("KILN_ACT", 0)]
            return LoweredNode(instance: KernelInstance(template: "linear/linear.c", params: p),
                               arguments: [value(node.inputs[0]), constant(node.constants[0]),
                                           hasBias ? constant(node.constants[1]) : "NULL", out])
        case .batchNorm2d:
            throw CodegenError.unsupportedOp(layer: node.name, op: Printer.describe(node.op) + " (run lower-batchnorm first)")
        }
    }

    static func code(_ act: Activation) -> Int {
        switch act {
        case .none: 0
        case .relu: 1
        }
    }
}
