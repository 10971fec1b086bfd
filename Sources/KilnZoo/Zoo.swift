import KilnDSL

/// The named networks `kiln list` prints and `kiln run NAME` builds. Each builder takes
/// hyper-parameter overrides (the reference tool's `--config` keys) for reduced variants.
public enum Zoo {
    public typealias Config = [String: [Int]]

    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        public let build: @Sendable (_ config: Config) -> any Layer
    }

    public static let models: [Entry] = [
        Entry(name: "resnet50", summary: "torchvision ResNet-50 (v1.5)") { c in resnet(c, depths: [3, 4, 6, 3]) },
        Entry(name: "se_resnet50", summary: "SE-ResNet-50 (senet.pytorch)") { c in
            let reduction = c["reduction"]?.first ?? 16
            return resnet(c, depths: [3, 4, 6, 3]) { s in
                Bottleneck(inplanes: s.inplanes, planes: s.planes, stride: s.stride,
                           attention: SqueezeExcitation(channels: s.planes * 4, reduction: reduction).key("se"))
            }
        },
        Entry(name: "eca_resnet50", summary: "ECA-ResNet-50, k = [3, 5, 5, 7] (ECANet)") { c in
            let k = c["k_sizes"] ?? [3, 5, 5, 7]
            return resnet(c, depths: [3, 4, 6, 3]) { s in
                Bottleneck(inplanes: s.inplanes, planes: s.planes, stride: s.stride,
                           attention: EfficientChannelAttention(kernelSize: k[s.stage]).key("eca"))
            }
        },
        Entry(name: "epsanet50", summary: "EPSANet-50 (small), PSA modules") { c in epsanet(c, depths: [3, 4, 6, 3]) },
        Entry(name: "epsanet101", summary: "EPSANet-101 (small), PSA modules") { c in epsanet(c, depths: [3, 4, 23, 3]) },
        Entry(name: "sa_resnet50", summary: "SA-Net-50, shuffle attention with 64 groups") { c in
            let groups = c["groups"]?.first ?? 64
            return resnet(c, depths: [3, 4, 6, 3]) { s in
                Bottleneck(inplanes: s.inplanes, planes: s.planes, stride: s.stride,
                           attention: ShuffleAttention(channels: s.planes * 4, groups: groups).key("sa"))
            }
        },
        Entry(name: "van_b0", summary: "VAN-b0, large-kernel attention") { c in van(c, dims: [32, 64, 160, 256], depths: [3, 3, 5, 2]) },
        Entry(name: "van_b1", summary: "VAN-b1") { c in van(c, dims: [64, 128, 320, 512], depths: [2, 2, 4, 2]) },
        Entry(name: "van_b2", summary: "VAN-b2") { c in van(c, dims: [64, 128, 320, 512], depths: [3, 3, 12, 3]) },
    ]

    public static func entry(named name: String) -> Entry? { models.first { $0.name == name } }

    static func resnet(_ c: Config, depths: [Int],
                       block: @escaping @Sendable (BlockSpec) -> any Layer = { s in
                           Bottleneck(inplanes: s.inplanes, planes: s.planes, stride: s.stride)
                       }) -> ResNet {
        ResNet(layers: c["layers"] ?? depths, width: c["width"]?.first ?? 64,
               numClasses: c["num_classes"]?.first ?? 1000, block: block)
    }

    static func epsanet(_ c: Config, depths: [Int]) -> ResNet {
        let kernels = c["conv_kernels"] ?? [3, 5, 7, 9], groups = c["conv_groups"] ?? [1, 4, 8, 16]
        let reduction = c["reduction"]?.first ?? 16
        return resnet(c, depths: depths) { s in
            Bottleneck(inplanes: s.inplanes, planes: s.planes, stride: s.stride,
                       spatial: PyramidSplitAttention(inplanes: s.planes, planes: s.planes, stride: s.stride,
                                                      kernels: kernels, groups: groups, reduction: reduction).key("conv2"))
        }
    }

    static func van(_ c: Config, dims: [Int], depths: [Int]) -> VAN {
        VAN(embedDims: c["embed_dims"] ?? dims, depths: c["depths"] ?? depths, mlpRatios: c["mlp_ratios"] ?? [8, 8, 4, 4],
            numClasses: c["num_classes"]?.first ?? 1000)
    }
}
