import KilnIR

/// A network or part of one. Leaf layers record IR nodes in `forward`; composite layers
/// usually conform to `Block` and describe themselves with a `body`.
public protocol Layer {
    func forward(_ x: Tensor) throws -> Tensor
}

/// A layer written as other layers, like a PyTorch module whose `forward` chains its children.
///
///     struct Stem: Block {
///         var body: some Layer {
///             Conv2d(3, 64, kernelSize: 7, stride: 2, padding: 3, bias: false).key("conv1")
///             BatchNorm2d(64).key("bn1")
///             ReLU()
///         }
///     }
public protocol Block: Layer {
    associatedtype Body: Layer
    @LayerBuilder var body: Body { get }
}

extension Block {
    public func forward(_ x: Tensor) throws -> Tensor { try body.forward(x) }
}

extension Layer {
    /// Names this module, as a PyTorch attribute name does: its parameters' keys get `name.` in front.
    public func key(_ name: String) -> Keyed<Self> { Keyed(name: name, layer: self) }
}

/// A layer placed under a module name.
public struct Keyed<Wrapped: Layer>: Layer, NamedLayer {
    public let name: String
    public let layer: Wrapped

    public func forward(_ x: Tensor) throws -> Tensor {
        try x.builder.scoped(name) { try layer.forward(x) }
    }
}

/// A layer that carries its own module name, so containers do not number it.
public protocol NamedLayer: Layer {
    var name: String { get }
}
