import KilnIR

/// `nn.AdaptiveAvgPool2d(1)`: the global average pool. Other output sizes are not supported yet.
public struct AdaptiveAvgPool2d: Layer {
    public var outputSize: Int

    public init(_ outputSize: Int = 1) { self.outputSize = outputSize }

    public func forward(_ x: Tensor) throws -> Tensor {
        guard outputSize == 1 else {
            throw IRError.invalidAttribute(layer: x.builder.currentPath,
                detail: "AdaptiveAvgPool2d supports output size 1 only, got \(outputSize)")
        }
        return try x.builder.apply(.globalAvgPool, [x])
    }
}
