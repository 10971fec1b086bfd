import KilnDSL
import KilnIR

/// SA-Net's shuffle attention (wofmanaf/SA-Net `sa_layer`). The channels are split into
/// `groups` sub-features, folded into the batch; each half-group is gated, by its pooled
/// channel statistics or by a per-channel GroupNorm, with gate parameters shared by all
/// groups; the halves are joined and the channels shuffled with 2 groups.
public struct ShuffleAttention: Layer {
    public var channels, groups: Int

    public init(channels: Int, groups: Int = 64) {
        self.channels = channels
        self.groups = groups
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let b = x.builder
        let half = channels / (2 * groups)
        guard x.shape.rank == 4, x.channels == channels, half > 0, channels % (2 * groups) == 0 else {
            throw IRError.shapeMismatch(layer: b.currentPath,
                                        detail: "ShuffleAttention(\(channels), groups: \(groups)) expects [N, \(channels), H, W] with \(channels) divisible by \(2 * groups), got \(x.shape)")
        }
        // Declared in the official module's order: cweight, cbias, sweight, sbias, gn.
        let gate: Shape = [1, half, 1, 1]
        var params = try ["cweight", "cbias", "sweight", "sbias"].map { try b.parameter($0, gate) }
        params += try b.scoped("gn") { [try b.parameter("weight", [half]), try b.parameter("bias", [half])] }
        // One fused op: the official module's view, chunk, pooled and GroupNorm gates, cat and
        // channel shuffle (see Op.shuffleAttention and templates/norm/shuffle_attention.c).
        return try b.apply(.shuffleAttention(groups: groups, eps: 1e-5), [x], constants: params)
    }
}
