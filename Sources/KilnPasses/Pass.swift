import KilnIR

/// A graph-to-graph rewrite. Passes are pure: no globals, I/O or environment; options go in `init`.
public protocol Pass: Sendable {
    static var name: String { get }
    func run(_ g: Graph) throws -> Graph
}
