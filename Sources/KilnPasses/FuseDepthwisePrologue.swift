import KilnIR

/// Folds a depthwise conv into the 1×1 conv that is its only reader, as a prologue that the
/// 1×1's GEMM kernel runs while packing its input panel (templates/conv/conv2d_gemm.c):
///
///     %16 = conv2d[512, 3x3/1 p1 d1 g512 +bias gelu] (%15)      %17 = conv2d[64, 1x1/1 p0 d1 g1 +bias
///     %17 = conv2d[64, 1x1/1 p0 d1 g1 +bias] (%16)         ->           <- dw3x3 d1 +bias gelu] (%15)
///
/// VAN's MLP (fc1, dwconv and GELU, fc2): the depthwise output, four times the block's width,
/// then never goes through memory. Only an undilated depthwise conv that keeps the image size
/// (stride 1) and adds no residual, read by a stride-1, unpadded, ungrouped 1×1 conv (always a
/// GEMM). Runs after FuseActivation, so the depthwise conv's activation comes along.
///
/// Dilated ones (VAN's attention: 7×7 d3 before conv1) stay separate: the depthwise kernel
/// computes bands of rows 3 apart that share each loaded row, which a pixel tile of a few rows
/// cannot, and it runs them about twice as fast (templates/conv/conv2d_depthwise.c). Left
/// unfused, `Benchmarks/ab` B/A: VAN-b0 0.973, VAN-b1 0.974, VAN-b2 0.983, VAN-b0 at batch 8
/// 0.974. The undilated 3×3 before fc2 stays fused: unfused, VAN-b2 took 1.044× (its 56² hidden
/// layer is 6.4 MB) and VAN-b0 0.994×.
///
/// Each pixel tile recomputes its halo rows and a row's last vector is partly wasted, so the
/// pass leaves narrow maps alone unless one panel holds the whole image: rows of at least
/// 16 pixels, or at most 64Ki floats per image. Measured on VAN-b1 (2 threads, each fused
/// kernel against the depthwise + 1×1 pair it replaced, before the banded depthwise kernel):
/// the MLP 2.82 → 2.52 ms at 56², 2.16 → 1.98 at 28², but 1.32 → 1.41 at 14² (1280
/// channels), which this rule now leaves unfused.
public struct FuseDepthwisePrologue: Pass {
    public static let name = "fuse-depthwise-prologue"
    public init() {}

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        let users = g.users()
        for (id, node) in g.nodes.enumerated() {
            guard case .conv2d(var a, let hasBias) = node.op, a.prologue == nil, a.groups == 1, a.isPlainPointwise
            else { continue }
            let source = node.inputs[0], dw = g.nodes[source]
            guard case .conv2d(let d, let dwHasBias) = dw.op, users[source] == [id], source != g.output,
                  d.isDepthwise(inChannels: g.nodes[dw.inputs[0]].shape[1]), !d.hasResidual,
                  d.strideH == 1, d.strideW == 1, d.dilationH == 1, d.dilationW == 1, dw.shape == g.nodes[dw.inputs[0]].shape,
                  dw.shape[3] >= 16 || dw.shape.count / dw.shape[0] <= 1 << 16
            else { continue }
            a.prologue = DepthwisePrologue(kernel: (d.kernelH, d.kernelW), padding: (d.padH, d.padW),
                                           dilation: (d.dilationH, d.dilationW), hasBias: dwHasBias, activation: d.activation)
            g.nodes[id].op = .conv2d(a, hasBias: hasBias)
            g.nodes[id].inputs[0] = dw.inputs[0]
            g.nodes[id].constants += dw.constants
        }
        return g.compacted()  // drops the depthwise convs nothing reads any more
    }
}
