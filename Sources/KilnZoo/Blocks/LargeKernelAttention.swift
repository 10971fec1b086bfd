import KilnDSL

/// VAN's large-kernel attention (`LKA`): a 5×5 depthwise conv, a 7×7 depthwise conv with
/// dilation 3, and a 1×1 conv make an attention map that multiplies the input: `u * attn(u)`.
public struct LargeKernelAttention: Block {
    public var dim: Int

    public init(dim: Int) { self.dim = dim }

    public var body: some Layer {
        Gate {
            Conv2d(dim, dim, kernelSize: 5, padding: 2, groups: dim).key("conv0")
            Conv2d(dim, dim, kernelSize: 7, padding: 9, dilation: 3, groups: dim).key("conv_spatial")
            Conv2d(dim, dim, kernelSize: 1).key("conv1")
        }
    }
}
