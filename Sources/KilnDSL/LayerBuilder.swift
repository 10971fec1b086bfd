/// Collects the layers written in a builder closure, including `if`, `if/else` and `for`.
@resultBuilder
public enum LayerBuilder {
    /// `Conv2d(...)`: one layer.
    public static func buildExpression(_ layer: some Layer) -> [any Layer] { [layer] }
    /// `{ }`: nothing, the identity.
    public static func buildBlock() -> [any Layer] { [] }
    public static func buildPartialBlock(first: [any Layer]) -> [any Layer] { first }
    public static func buildPartialBlock(accumulated: [any Layer], next: [any Layer]) -> [any Layer] {
        accumulated + next
    }
    /// `if needsDownsample { ... }`
    public static func buildOptional(_ layers: [any Layer]?) -> [any Layer] { layers ?? [] }
    public static func buildEither(first: [any Layer]) -> [any Layer] { first }
    public static func buildEither(second: [any Layer]) -> [any Layer] { second }
    /// `for i in 0..<blocks { ... }`
    public static func buildArray(_ layers: [[any Layer]]) -> [any Layer] { layers.flatMap { $0 } }
    public static func buildFinalResult(_ layers: [any Layer]) -> Chain { Chain(layers) }
}
