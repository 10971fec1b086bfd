import KilnDSL

/// The named networks `kiln list` prints and `kiln run NAME` builds.
public enum Zoo {
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        /// Builds the network; `config` overrides hyper-parameters for reduced variants
        /// (same keys as the reference tool's `--config`).
        public let build: @Sendable (_ config: [String: [Int]]) -> any Layer
    }

    public static let models: [Entry] = [
        Entry(name: "resnet50", summary: "torchvision ResNet-50 (v1.5), 25.6M parameters") { c in
            ResNet(layers: c["layers"] ?? [3, 4, 6, 3], width: c["width"]?.first ?? 64,
                   numClasses: c["num_classes"]?.first ?? 1000)
        },
    ]

    public static func entry(named name: String) -> Entry? { models.first { $0.name == name } }
}
