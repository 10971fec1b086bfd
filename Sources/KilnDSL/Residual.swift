/// `main(x) + shortcut(x)`; an empty shortcut is the identity.
///
///     Residual {
///         Conv2d(64, 64, kernelSize: 3, padding: 1, bias: false).key("conv1")
///         ...
///     } shortcut: {
///         if downsample { Sequential { ... }.key("downsample") }
///     }
public struct Residual: Layer {
    public let main: Chain
    public let shortcut: Chain

    public init(@LayerBuilder _ main: () -> Chain, @LayerBuilder shortcut: () -> Chain = { Chain([]) }) {
        self.main = main()
        self.shortcut = shortcut()
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        let y = try main.forward(x)
        return try y + shortcut.forward(x)
    }
}
