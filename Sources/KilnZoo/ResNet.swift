import KilnDSL

/// torchvision's Bottleneck (ResNet v1.5: the stride sits on the 3×3 conv). The attention
/// variants of the seed papers plug in without changing it: `attention` runs after `bn3`,
/// before the residual add (SE, ECA, SA), and `spatial` replaces `conv2` (EPSANet's PSA).
public struct Bottleneck: Block {
    public static let expansion = 4
    public var inplanes, planes, stride: Int
    /// Already keyed (`.key("se")`); applied to the `planes * 4` channels after `bn3`.
    public var attention: (any Layer)?
    /// Already keyed `conv2`; maps `planes` to `planes` channels with the block's stride.
    public var spatial: (any Layer)?

    public init(inplanes: Int, planes: Int, stride: Int = 1, attention: (any Layer)? = nil, spatial: (any Layer)? = nil) {
        self.inplanes = inplanes
        self.planes = planes
        self.stride = stride
        self.attention = attention
        self.spatial = spatial
    }

    public var body: some Layer {
        let out = planes * Self.expansion
        Residual {
            Conv2d(inplanes, planes, kernelSize: 1, bias: false).key("conv1")
            BatchNorm2d(planes).key("bn1")
            ReLU()
            if let spatial {
                spatial
            } else {
                Conv2d(planes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false).key("conv2")
            }
            BatchNorm2d(planes).key("bn2")
            ReLU()
            Conv2d(planes, out, kernelSize: 1, bias: false).key("conv3")
            BatchNorm2d(out).key("bn3")
            if let attention { attention }
        } shortcut: {
            if stride != 1 || inplanes != out {
                Sequential {
                    Conv2d(inplanes, out, kernelSize: 1, stride: stride, bias: false)
                    BatchNorm2d(out)
                }.key("downsample")
            }
        }
        ReLU()
    }
}

/// Where a block sits in a ResNet, for builders that vary blocks by stage.
public struct BlockSpec: Sendable {
    public var stage, index, inplanes, planes, stride: Int
}

/// torchvision's ResNet layout (stem, four stages of bottlenecks, pool, fc). `width` is the
/// stem width (64 in the real networks); stage `i` has `width << i` planes. `block` builds
/// each bottleneck, so the attention families reuse this skeleton.
public struct ResNet: Block {
    public var layers: [Int]
    public var width: Int
    public var numClasses: Int
    public var block: @Sendable (BlockSpec) -> any Layer

    public init(layers: [Int] = [3, 4, 6, 3], width: Int = 64, numClasses: Int = 1000,
                block: @escaping @Sendable (BlockSpec) -> any Layer = { s in
                    Bottleneck(inplanes: s.inplanes, planes: s.planes, stride: s.stride)
                }) {
        self.layers = layers
        self.width = width
        self.numClasses = numClasses
        self.block = block
    }

    public var body: some Layer {
        let expansion = Bottleneck.expansion
        Conv2d(3, width, kernelSize: 7, stride: 2, padding: 3, bias: false).key("conv1")
        BatchNorm2d(width).key("bn1")
        ReLU()
        MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        for (stage, blocks) in layers.enumerated() {
            let planes = width << stage
            let inplanes = stage == 0 ? width : (width << (stage - 1)) * expansion
            Sequential {
                for i in 0..<blocks {
                    block(BlockSpec(stage: stage, index: i, inplanes: i == 0 ? inplanes : planes * expansion,
                                    planes: planes, stride: i == 0 && stage > 0 ? 2 : 1))
                }
            }.key("layer\(stage + 1)")
        }
        AdaptiveAvgPool2d(1)
        Flatten()
        Linear((width << (layers.count - 1)) * expansion, numClasses).key("fc")
    }
}
