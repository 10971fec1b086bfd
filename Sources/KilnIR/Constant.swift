/// Index of a constant in `Graph.constants`.
public typealias ConstID = Int

/// A constant tensor: either a checkpoint parameter, loaded by its `state_dict` key, or a
/// value derived from other constants by a pass. Derived constants are evaluated once, when
/// the weights are prepared, so compiled code never depends on weight values.
public struct Constant: Hashable, Sendable {
    public var shape: Shape
    public var source: ConstSource

    public init(shape: Shape, source: ConstSource) {
        self.shape = shape
        self.source = source
    }

    /// Floats the prepared value occupies: the element count, plus the row padding of packed weights.
    public var storageFloats: Int {
        switch source {
        case .packGemm(_, let groups, let rows):
            let perGroup = shape[0] / groups
            let paddedRows = (perGroup + rows - 1) / rows * rows * groups
            return paddedRows * (shape.count / shape[0])
        case .packWinograd(_, let tile, let rows):
            return (tile + 2) * (tile + 2) * ((shape[0] + rows - 1) / rows * rows) * shape[1]
        default:
            return shape.count
        }
    }
}

/// How a constant's values are obtained.
public enum ConstSource: Hashable, Sendable {
    /// A tensor of the checkpoint, by its PyTorch `state_dict` key.
    case parameter(key: String)
    /// BatchNorm's per-channel scale `gamma / sqrt(var + eps)`.
    case bnScale(gamma: ConstID, variance: ConstID, eps: Float)
    /// BatchNorm's per-channel shift `beta - mean * gamma / sqrt(var + eps)`.
    case bnShift(gamma: ConstID, beta: ConstID, mean: ConstID, variance: ConstID, eps: Float)
    /// `w[o, ...] * scale[o]`: folds a per-output-channel scale into a weight.
    case scaleRows(ConstID, scale: ConstID)
    /// `bias * scale + shift` (or just `shift` without a bias): a folded bias.
    case affineBias(bias: ConstID?, scale: ConstID, shift: ConstID)
    /// `[ls * (bias + t), ls * a + 1]` (`[2, C]`; bias 0 if nil): the bias and residual scale of a
    /// conv absorbing `x + ls * (conv + bias + a * x + t)`, `a * x + t` a folded norm (FoldLayerScale).
    case scaledResidualBias(bias: ConstID?, layerScale: ConstID, normScale: ConstID, normShift: ConstID)
    /// `w[o, i, ...] * scale[c]`, c the input channel that `i` is in group `o / (Cout/groups)`:
    /// folds a per-input-channel scale into a conv weight.
    case scaleColumns(ConstID, scale: ConstID, groups: Int)
    /// `bias[o] + Σ_i,kh,kw w[o, i, kh, kw] * shift[c]` (c as above; bias 0 if nil): the bias of a
    /// conv whose input had a per-channel shift folded away.
    case shiftedBias(weight: ConstID, bias: ConstID?, shift: ConstID, groups: Int)
    /// The same values under another shape (a Conv1d weight used by a 1×k Conv2d).
    case reshaped(ConstID)
    /// A conv weight `[Cout, Cin/g, kh, kw]` repacked for the GEMM kernel: per group, per block
    /// of `rows` output channels, `[K][rows]`, zero-padded (see templates/conv/conv2d_gemm.c).
    case packGemm(ConstID, groups: Int, rows: Int)
    /// A 3×3 conv weight `[Cout, Cin, 3, 3]` in the Winograd F(tile×tile, 3×3) domain, `U = G g Gᵀ`,
    /// laid out `[(tile+2)²][Cout blocks of rows][Cin][rows]`, zero-padded (templates/conv/conv2d_winograd.c).
    case packWinograd(ConstID, tile: Int, rows: Int)
}
