import KilnDSL

/// VAN's `Attention`: `proj_2(LKA(gelu(proj_1(x)))) + x`, with the inner shortcut.
public struct SpatialAttention: Block {
    public var dim: Int
    public init(dim: Int) { self.dim = dim }

    public var body: some Layer {
        Residual {
            Conv2d(dim, dim, kernelSize: 1).key("proj_1")
            GELU()
            LargeKernelAttention(dim: dim).key("spatial_gating_unit")
            Conv2d(dim, dim, kernelSize: 1).key("proj_2")
        }
    }
}

/// VAN's `Mlp`: 1×1 `fc1`, depthwise 3×3 `dwconv.dwconv`, exact GELU, 1×1 `fc2`.
public struct VANMlp: Block {
    public var dim, hidden: Int
    public init(dim: Int, hidden: Int) {
        self.dim = dim
        self.hidden = hidden
    }

    public var body: some Layer {
        Conv2d(dim, hidden, kernelSize: 1).key("fc1")
        Conv2d(hidden, hidden, kernelSize: 3, padding: 1, groups: hidden).key("dwconv.dwconv")
        GELU()
        Conv2d(hidden, dim, kernelSize: 1).key("fc2")
    }
}

/// VAN's `Block`: `x + ls1 * attn(norm1(x))`, then `x + ls2 * mlp(norm2(x))`, with
/// BatchNorm norms and per-channel layer scales.
public struct VANBlock: Layer {
    public var dim, mlpRatio: Int
    public init(dim: Int, mlpRatio: Int) {
        self.dim = dim
        self.mlpRatio = mlpRatio
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let b = x.builder
        let scale1 = try b.parameterTensor("layer_scale_1", [dim]).view(dim, 1, 1)
        let scale2 = try b.parameterTensor("layer_scale_2", [dim]).view(dim, 1, 1)
        let attn = try SpatialAttention(dim: dim).key("attn").forward(BatchNorm2d(dim).key("norm1").forward(x))
        let y = try x + scale1 * attn
        let mlp = try VANMlp(dim: dim, hidden: dim * mlpRatio).key("mlp").forward(BatchNorm2d(dim).key("norm2").forward(y))
        return try y + scale2 * mlp
    }
}

/// Visual Attention Network (Visual-Attention-Network/VAN-Classification). Each stage: an
/// overlapping patch embedding (conv with bias + BatchNorm; 7×7/4 first, then 3×3/2), its
/// blocks, and a LayerNorm over channels (eps 1e-6). The head averages the last stage's
/// tokens. Parameter keys follow the official `patch_embed1`, `block1.0`, `norm1`, `head`.
public struct VAN: Block {
    public var embedDims, depths, mlpRatios: [Int]
    public var numClasses: Int

    public init(embedDims: [Int], depths: [Int], mlpRatios: [Int] = [8, 8, 4, 4], numClasses: Int = 1000) {
        self.embedDims = embedDims
        self.depths = depths
        self.mlpRatios = mlpRatios
        self.numClasses = numClasses
    }

    public var body: some Layer {
        for (i, dim) in embedDims.enumerated() {
            let first = i == 0
            Chain {
                Conv2d(first ? 3 : embedDims[i - 1], dim, kernelSize: first ? 7 : 3, stride: first ? 4 : 2,
                       padding: first ? 3 : 1).key("proj")
                BatchNorm2d(dim).key("norm")
            }.key("patch_embed\(i + 1)")
            Sequential {
                for _ in 0..<depths[i] { VANBlock(dim: dim, mlpRatio: mlpRatios[i]) }
            }.key("block\(i + 1)")
            LayerNorm(dim, eps: 1e-6, dim: 1).key("norm\(i + 1)")
        }
        AdaptiveAvgPool2d(1)
        Flatten()
        Linear(embedDims.last ?? 0, numClasses).key("head")
    }
}
