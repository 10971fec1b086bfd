/// An activation applied elementwise, usually fused into the epilogue of the producing kernel.
public enum Activation: String, Hashable, Sendable {
    case none, relu
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
    public var activation: Activation = .none

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
/// are positional, as documented per case.
public enum Op: Hashable, Sendable {
    /// The model input. No inputs.
    case input
    /// inputs `[x]` or `[x, residual]` (when `hasResidual`); constants `[weight]` or `[weight, bias]`.
    case conv2d(Conv2dAttrs, hasBias: Bool)
    /// Inference BatchNorm. inputs `[x]`; constants `[weight, bias, running_mean, running_var]`.
    case batchNorm2d(eps: Float)
    /// Per-channel `y = act(x * scale[c] + shift[c])`. inputs `[x]`; constants `[scale, shift]`.
    case scaleShift(Activation)
    /// inputs `[x]`.
    case relu
    /// inputs `[x]`.
    case maxPool2d(Pool2dAttrs)
    /// Mean over H and W, keeping them as 1: `[N, C, H, W] -> [N, C, 1, 1]`. inputs `[x]`.
    case globalAvgPool
    /// `[N, ...] -> [N, prod(...)]`; a view, it moves no data. inputs `[x]`.
    case flatten
    /// `y = x Wᵀ + b` on `[N, in]`. inputs `[x]`; constants `[weight]` or `[weight, bias]`.
    case linear(outFeatures: Int, hasBias: Bool)
    /// `y = act(a + b)`, same shapes. inputs `[a, b]`.
    case add(Activation)
}

extension Op {
    /// Ops whose output is a view of their input's storage.
    public var isView: Bool {
        if case .flatten = self { return true }
        return false
    }
}
