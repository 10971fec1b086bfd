import KilnIR

/// The arithmetic a graph asks for, the numerator of `kiln bench`'s GFLOP/s.
///
/// Count it on the traced graph (`Tracer.trace`), before any pass: the figure is then a
/// property of the network, the same whatever fusion or folding the compiler does, and
/// comparable with PyTorch's and ONNX Runtime's times for the same network.
///
/// The convention:
/// - `conv2d`: 2 flops per multiply-accumulate, `N·Cout·Hout·Wout · (Cin/groups)·kh·kw` MACs
///   (so a grouped or depthwise conv counts only the channels of its group); a bias, a fused
///   residual and a fused activation each add 1 flop per output element.
/// - `linear`: 2 flops per MAC, `N·in·out` MACs, plus 1 per output for a bias.
/// - elementwise and normalisation ops (`batchNorm2d`, `scaleShift`, `activation`, `binary`, `mulAdd`,
///   `softmax`, `layerNorm`, `groupNorm`): 1 flop per output element, whatever the op really
///   costs (an erf, an exp, two reductions). They are under 1% of every seed network's
///   count, so a finer model would not change a GFLOP/s figure; this one stays obvious.
/// - pools: `maxPool2d` kh·kw per output element (compares), `globalAvgPool` 1 per input element.
/// - data movement (`concat`, `reshape`, `permute`, `slice`) and `input`/`constant`: 0.
///
/// The MAC part alone (`macs(of:)`) is what papers and model cards quote as "GMACs"
/// (ResNet-50: 4.09 at 224²).
public enum FlopCount {
    /// Flops of one run of `graph` (all of its batch), by the convention above.
    public static func of(_ graph: Graph) -> Int {
        graph.nodes.reduce(0) { $0 + flops(of: $1, in: graph) }
    }

    /// Multiply-accumulates of the convolutions and linear layers only.
    public static func macs(of graph: Graph) -> Int {
        graph.nodes.reduce(0) { $0 + macs(of: $1, in: graph) }
    }

    /// A fused depthwise prologue counts as the conv it replaced (profiles of compiled graphs).
    static func prologueFlops(_ a: Conv2dAttrs, input: Shape) -> Int {
        guard let d = a.prologue else { return 0 }
        return input.count * (2 * d.kernelH * d.kernelW + (d.hasBias ? 1 : 0) + (d.activation == .none ? 0 : 1))
    }

    static func macs(of node: Node, in graph: Graph) -> Int {
        switch node.op {
        case .conv2d(let a, _):
            let inChannels = graph.nodes[node.inputs[0]].shape[1]
            return node.shape.count * (inChannels / a.groups) * a.kernelH * a.kernelW
        case .linear:
            let inFeatures = graph.nodes[node.inputs[0]].shape.dims.last ?? 0
            return node.shape.count * inFeatures
        default:
            return 0
        }
    }

    public static func flops(of node: Node, in graph: Graph) -> Int {
        let out = node.shape.count
        switch node.op {
        case .input, .constant, .concat, .reshape, .permute, .slice:
            return 0
        case .conv2d(let a, let hasBias):
            let epilogue = (hasBias ? 1 : 0) + (a.hasResidual || a.hasGate ? 1 : 0) + (a.residualScale ? 1 : 0) + (a.activation == .none ? 0 : 1)
            return 2 * macs(of: node, in: graph) + epilogue * out + prologueFlops(a, input: graph.nodes[node.inputs[0]].shape)
        case .linear(_, let hasBias):
            return 2 * macs(of: node, in: graph) + (hasBias ? out : 0)
        case .batchNorm2d, .scaleShift, .activation, .binary, .mulAdd, .softmax, .layerNorm, .groupNorm, .shuffleAttention:
            return out
        case .maxPool2d(let p):
            return out * p.kernelH * p.kernelW
        case .globalAvgPool:
            return graph.nodes[node.inputs[0]].shape.count
        }
    }
}
