import KilnDSL

/// EPSANet's PSA module (murufeng/EPSANet `PSAModule`), which replaces a bottleneck's 3×3
/// conv. Four grouped convs of growing kernel each make a quarter of the channels; one
/// shared SE module (`se`, 1×1 convs with bias) scores every branch; a softmax across the
/// four branches weighs them; the result is concatenated in reverse order [b4, b3, b2, b1].
public struct PyramidSplitAttention: Layer {
    public var inplanes, planes, stride: Int
    public var kernels: [Int]
    public var groups: [Int]
    /// The shared SE module's reduction (16 in the official code, which cannot change it).
    public var reduction: Int

    public init(inplanes: Int, planes: Int, stride: Int = 1, kernels: [Int] = [3, 5, 7, 9], groups: [Int] = [1, 4, 8, 16],
                reduction: Int = 16) {
        self.inplanes = inplanes
        self.planes = planes
        self.stride = stride
        self.kernels = kernels
        self.groups = groups
        self.reduction = reduction
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let split = planes / 4
        let branches = try (0..<4).map { i in
            try Conv2d(inplanes, split, kernelSize: kernels[i], stride: stride, padding: kernels[i] / 2,
                       groups: groups[i], bias: false).key("conv_\(i + 1)").forward(x)
        }
        let se = Shared(SEWeightModule(channels: split, reduction: reduction).key("se"))
        let scores = try Tensor.cat(branches.map { try se.forward($0) }, dim: 1)
        let n = x.shape[0]
        let attention = try scores.view(n, 4, split, 1, 1).softmax(dim: 1)
        let weighted = try (0..<4).map { i in
            try branches[i] * attention.narrow(1, start: i, length: 1).view(n, split, 1, 1)
        }
        return try Tensor.cat(weighted.reversed(), dim: 1)
    }
}

/// EPSANet's `SEWeightModule`: `sigmoid(fc2(relu(fc1(gap(x)))))`, 1×1 convs with bias,
/// reduction 16. Returns the weights, not the gated input.
public struct SEWeightModule: Block {
    public var channels, reduction: Int

    public init(channels: Int, reduction: Int = 16) {
        self.channels = channels
        self.reduction = reduction
    }

    public var body: some Layer {
        AdaptiveAvgPool2d(1)
        Conv2d(channels, channels / reduction, kernelSize: 1).key("fc1")
        ReLU()
        Conv2d(channels / reduction, channels, kernelSize: 1).key("fc2")
        Sigmoid()
    }
}
