/// PyTorch's `nn.Sequential`: children are applied in order and named by position
/// (`0`, `1`, ...) unless they were given a name with `.key(_:)`.
///
///     Sequential { Conv2d(256, 512, kernelSize: 1, stride: 2, bias: false); BatchNorm2d(512) }
///         .key("downsample")   // downsample.0.weight, downsample.1.running_var, ...
public struct Sequential: Layer {
    public let layers: [any Layer]

    public init(@LayerBuilder _ content: () -> Chain) { layers = content().layers }

    public func forward(_ x: Tensor) throws -> Tensor {
        var y = x
        for (index, layer) in layers.enumerated() {
            if layer is any NamedLayer {
                y = try layer.forward(y)
            } else {
                y = try x.builder.scoped(String(index)) { try layer.forward(y) }
            }
        }
        return y
    }
}
