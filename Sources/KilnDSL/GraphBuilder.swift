import KilnIR

/// Records the operations of a traced network into a `Graph`, tracking the module path so
/// every parameter gets its PyTorch `state_dict` key and every error names its layer.
public final class GraphBuilder {
    private var nodes: [Node] = []
    private var constants: [Constant] = []
    private var keys: Set<String> = []
    private var path: [String] = []

    init(input: Shape) {
        nodes.append(Node(op: .input, inputs: [], name: "input", shape: input))
    }

    /// The current module path, `layer1.0.conv1`.
    public var currentPath: String { path.joined(separator: ".") }

    var input: Tensor { Tensor(id: 0, shape: nodes[0].shape, builder: self) }

    /// Runs `body` one module deeper, under `name`.
    public func scoped<T>(_ name: String, _ body: () throws -> T) throws -> T {
        guard !name.isEmpty, !name.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw IRError.invalidName(layer: currentPath, name: name)
        }
        path.append(name)
        defer { path.removeLast() }
        return try body()
    }

    /// Declares a learned tensor of the current module, e.g. `weight` → `layer1.0.conv1.weight`.
    public func parameter(_ name: String, _ shape: Shape) throws -> ConstID {
        let key = path.isEmpty ? name : currentPath + "." + name
        guard keys.insert(key).inserted else { throw IRError.duplicateKey(key: key) }
        constants.append(Constant(shape: shape, source: .parameter(key: key)))
        return constants.count - 1
    }

    /// Appends an operation, inferring its shape; a mismatch is reported against the current module.
    public func apply(_ op: Op, _ inputs: [Tensor], constants consts: [ConstID] = []) throws -> Tensor {
        let shape = try ShapeInference.infer(
            op, inputs: inputs.map(\.shape), constants: consts.map { constants[$0].shape }, layer: currentPath)
        nodes.append(Node(op: op, inputs: inputs.map(\.id), constants: consts, name: currentPath, shape: shape))
        return Tensor(id: nodes.count - 1, shape: shape, builder: self)
    }

    func graph(name: String, output: Tensor) -> Graph {
        Graph(name: name, nodes: nodes, constants: constants, output: output.id)
    }
}
