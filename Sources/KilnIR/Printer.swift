/// Renders a graph as readable text, one node a line:
///
///     %3 = conv2d[64, 3x3/1 p1 d1 g1 +bias relu] (%2) {layer1.0.conv2} : [1, 64, 56, 56]
public enum Printer {
    public static func render(_ g: Graph) -> String {
        var lines = ["graph \(g.name) (input \(g.inputShape)) -> %\(g.output) \(g.outputShape)"]
        if let loop = g.sampleLoop { lines.append("  sample loop: %1...%\(loop.end - 1) run once per sample of \(loop.batch)") }
        for (id, node) in g.nodes.enumerated() {
            let args = node.inputs.map { "%\($0)" }.joined(separator: ", ")
            var line = "  %\(id) = \(describe(node.op)) (\(args)) {\(node.name)} : \(node.shape)"
            if let s = node.schedule { line += "  schedule \(s)" }
            if let m = g.memory { line += "  @\(m.storage[id])" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    public static func describe(_ op: Op) -> String {
        switch op {
        case .input: return "input"
        case .conv2d(let a, let hasBias):
            var s = "conv2d[\(a.outChannels), \(a.kernelH)x\(a.kernelW)/\(a.strideH) p\(a.padH) d\(a.dilationH) g\(a.groups)"
            if hasBias { s += " +bias" }
            if a.hasResidual { s += a.residualScale ? " +scaled residual" : " +residual" }
            if a.activation != .none { s += " \(a.activation)" }
            if a.hasGate { s += " *gate" }
            if let d = a.prologue {
                s += " <- dw\(d.kernelH)x\(d.kernelW) d\(d.dilationH)\(d.hasBias ? " +bias" : "")"
                if d.activation != .none { s += " \(d.activation)" }
            }
            return s + "]"
        case .batchNorm2d(let eps): return "batchnorm2d[eps \(eps)]"
        case .scaleShift(let act): return act == .none ? "scale_shift" : "scale_shift[\(act)]"
        case .constant: return "constant"
        case .activation(let act): return act.rawValue
        case .binary(let op, let act): return act == .none ? op.rawValue : "\(op.rawValue)[\(act)]"
        case .mulAdd(let act): return act == .none ? "mul_add" : "mul_add[\(act)]"
        case .maxPool2d(let a): return "maxpool2d[\(a.kernelH)x\(a.kernelW)/\(a.strideH) p\(a.padH)]"
        case .globalAvgPool: return "global_avgpool"
        case .linear(let out, let hasBias): return "linear[\(out)\(hasBias ? " +bias" : "")]"
        case .softmax(let axis): return "softmax[axis \(axis)]"
        case .layerNorm(let axis, let eps): return "layernorm[axis \(axis), eps \(eps)]"
        case .groupNorm(let groups, let eps): return "groupnorm[\(groups) groups, eps \(eps)]"
        case .shuffleAttention(let groups, let eps): return "shuffle_attention[\(groups) groups, eps \(eps)]"
        case .concat(let axis): return "concat[axis \(axis)]"
        case .reshape(let shape): return "reshape\(shape)"
        case .permute(let order): return "permute\(order)"
        case .slice(let axis, let start, let end): return "slice[axis \(axis), \(start)..<\(end)]"
        }
    }
}
