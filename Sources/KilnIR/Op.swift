/// An activation applied elementwise, usually fused into the epilogue of the producing kernel.
public enum Activation: String, Hashable, Sendable {
    case none, relu, sigmoid
    /// The exact GELU, `x * (1 + erf(x / sqrt 2)) / 2` (PyTorch's default, used by VAN).
    case gelu

    /// The `KILN_ACT` code the C templates switch on.
    public var code: Int {
        switch self {
        case .none: 0
        case .relu: 1
        case .sigmoid: 2
        case .gelu: 3
        }
    }
}

/// Elementwise binary operations (NumPy broadcasting).
public enum BinaryOp: String, Hashable, Sendable {
    case add, mul
}

/// Attributes of a 2-D convolution (PyTorch `nn.Conv2d` semantics, NCHW).
public struct Conv2dAttrs: Hashable, Sendable {
    public var outChannels: Int
    public var kernelH, kernelW: Int
    public var strideH, strideW: Int
    public var padH, padW: Int
    public var dilationH, dilationW: Int
    public var groups: Int
    /// Set by fusion: the kernel adds a residual tensor (its second input) before `activation`.
    public var hasResidual = false
    /// Set by FoldLayerScale, with a residual and a bias: the residual is scaled per output
    /// channel, `act(acc + bias[o] + rs[o] * residual)`; the bias constant is `[2, outChannels]`,
    /// the bias then `rs` (VAN's `x + ls * (proj_2(..) + norm1(x))` as one epilogue).
    public var residualScale = false
    public var activation: Activation = .none
    /// Set by fusion on a 1×1 conv: the kernel multiplies its output, after `activation`, by a gate
    /// tensor of the output's shape (its second input; never with a residual). VAN's `u * attn`.
    public var hasGate = false
    /// Set by fusion on a 1×1 conv: a depthwise conv computed on its input first (see `DepthwisePrologue`).
    public var prologue: DepthwisePrologue?

    public init(outChannels: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                dilation: (Int, Int), groups: Int) {
        self.outChannels = outChannels
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        (padH, padW) = padding
        (dilationH, dilationW) = dilation
        self.groups = groups
    }

    /// One filter per channel (`groups == in == out`): lowered to the direct depthwise kernel, not GEMM.
    public func isDepthwise(inChannels: Int) -> Bool {
        groups > 1 && groups == inChannels && groups == outChannels
    }

    /// A 1×1 kernel at stride 1 without padding: output pixel p reads only input pixel p, so the
    /// GEMM's panel is the input itself (a gate or depthwise prologue may fuse in, channels-along-
    /// lanes tiles read it in place).
    public var isPlainPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
    }
}

/// A depthwise convolution that keeps the image size (stride 1, padding `dilation·(k-1)/2`), with
/// its bias and activation, folded into the 1×1 conv that reads it: the conv's kernel computes it
/// while packing its input, so its output never goes through memory (FuseDepthwisePrologue;
/// never traced). Its weight `[C, 1, kh, kw]` and bias `[C]` follow the conv's own constants.
public struct DepthwisePrologue: Hashable, Sendable {
    public var kernelH, kernelW: Int
    public var padH, padW: Int
    public var dilationH, dilationW: Int
    public var hasBias: Bool
    public var activation: Activation

    public init(kernel: (Int, Int), padding: (Int, Int), dilation: (Int, Int), hasBias: Bool, activation: Activation) {
        (kernelH, kernelW) = kernel
        (padH, padW) = padding
        (dilationH, dilationW) = dilation
        self.hasBias = hasBias
        self.activation = activation
    }

    /// Where its weight sits among the conv's constants: after the conv's weight and bias.
    public static func firstConstant(convHasBias: Bool) -> Int { convHasBias ? 2 : 1 }
}

/// Attributes of a 2-D max pool (PyTorch `nn.MaxPool2d`, padding acts as -inf).
public struct Pool2dAttrs: Hashable, Sendable {
    public var kernelH, kernelW, strideH, strideW, padH, padW: Int
    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)) {
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        (padH, padW) = padding
    }
}

/// The closed vocabulary of the IR. Each node has one output; its inputs and constants
/// are positional, as documented per case. All values are dense, row-major float32.
public enum Op: Hashable, Sendable {
    /// The model input. No inputs.
    case input
    /// A learned tensor used as a value (layer_scale, SA's gate parameters). constants `[c]`.
    case constant
    /// inputs `[x]` or `[x, residual]` (when `hasResidual`); constants `[weight]` or `[weight, bias]`,
    /// then, with a `prologue`, its `[weight]` or `[weight, bias]`.
    case conv2d(Conv2dAttrs, hasBias: Bool)
    /// Inference BatchNorm. inputs `[x]`; constants `[weight, bias, running_mean, running_var]`.
    case batchNorm2d(eps: Float)
    /// Per-channel `y = act(x * scale[c] + shift[c])`. inputs `[x]`; constants `[scale, shift]`.
    case scaleShift(Activation)
    /// `y = act(x)`. inputs `[x]`.
    case activation(Activation)
    /// `y = act(a op b)` with NumPy broadcasting. inputs `[a, b]`.
    case binary(BinaryOp, Activation)
    /// `y = act(a * b + c)` with NumPy broadcasting: a gate or scale and a residual in one
    /// pass (made by FuseMulAdd, never traced). inputs `[a, b, c]`.
    case mulAdd(Activation)
    /// inputs `[x]`.
    case maxPool2d(Pool2dAttrs)
    /// Mean over H and W, keeping them as 1: `[N, C, H, W] -> [N, C, 1, 1]`. inputs `[x]`.
    case globalAvgPool
    /// `y = x Wᵀ + b` on `[N, in]`. inputs `[x]`; constants `[weight]` or `[weight, bias]`.
    case linear(outFeatures: Int, hasBias: Bool)
    /// Softmax along `axis`. inputs `[x]`.
    case softmax(axis: Int)
    /// Normalises over `axis` (mean and biased variance), then per-index affine along it.
    /// inputs `[x]`; constants `[weight, bias]`, each the size of `axis`.
    case layerNorm(axis: Int, eps: Float)
    /// GroupNorm over `[N, C, H, W]`: statistics per (n, group), affine per channel.
    /// inputs `[x]`; constants `[weight, bias]` of size C.
    case groupNorm(groups: Int, eps: Float)
    /// SA-Net's shuffle attention on `[N, C, H, W]` (templates/norm/shuffle_attention.c has the
    /// formula): `groups` groups of channels, each halved; the first half gated by its pooled
    /// means, the second by its per-channel normalised values; then the channels shuffled with
    /// 2 groups. inputs `[x]`; constants `[cweight, cbias, sweight, sbias, gn.weight, gn.bias]`,
    /// each holding C/(2·groups) values.
    case shuffleAttention(groups: Int, eps: Float)
    /// Joins inputs along `axis`. inputs `[x0, x1, ...]`.
    case concat(axis: Int)
    /// Same elements, new shape; a view, it moves no data. inputs `[x]`.
    case reshape(Shape)
    /// `y = x.permute(order)`. inputs `[x]`.
    case permute([Int])
    /// `y = x[..., start..<end, ...]` along `axis`. inputs `[x]`.
    case slice(axis: Int, start: Int, end: Int)
}

extension Op {
    /// Ops whose output is a view of their input's storage.
    public var isView: Bool {
        if case .reshape = self { return true }
        return false
    }
}
