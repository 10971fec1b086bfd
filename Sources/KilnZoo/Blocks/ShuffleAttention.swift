import KilnDSL

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
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let half = channels / (2 * groups)
        // Declared in the official module's order: cweight, cbias, sweight, sbias, gn.
        let gate: Shape = [1, half, 1, 1]
        let (cweight, cbias) = (try b.parameterTensor("cweight", gate), try b.parameterTensor("cbias", gate))
        let (sweight, sbias) = (try b.parameterTensor("sweight", gate), try b.parameterTensor("sbias", gate))

        let parts = try x.view(n * groups, channels / groups, h, w).chunk(2, dim: 1)
        let channel = try parts[0] * (try cweight * parts[0].globalAvgPool() + cbias).sigmoid()
        let normalized = try GroupNorm(half, half).key("gn").forward(parts[1])
        let spatial = try parts[1] * (try sweight * normalized + sbias).sigmoid()
        return try Tensor.cat([channel, spatial], dim: 1).view(n, channels, h, w).channelShuffle(groups: 2)
    }
}
