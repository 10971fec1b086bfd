/// Scales the input by what the body computes from it, `x * body(x)` with broadcasting: the
/// shape of SE, ECA and other channel-attention modules.
///
///     Gate { AdaptiveAvgPool2d(1); ...; Sigmoid() }    // [N, C, 1, 1] gate over [N, C, H, W]
public struct Gate: Layer {
    public let body: Chain
    public init(@LayerBuilder _ body: () -> Chain) { self.body = body() }

    public func forward(_ x: Tensor) throws -> Tensor {
        try x * body.forward(x)
    }
}
