import KilnIR

/// Records the operations of a traced network into a `Graph`, tracking the module path so
/// every parameter gets its PyTorch `state_dict` key and every error names its layer.
public final class GraphBuilder {
    private var nodes: [Node] = []
    private var constants: [Constant] = []
    private var keys: [String: ConstID] = [:]
    private var path: [String] = []
    /// Inside `Shared`, a module applied again reuses its parameters instead of declaring them twice.
    private var reusing = false

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
        if let existing = keys[key] {
            guard reusing, constants[existing].shape == shape else { throw IRError.duplicateKey(key: key) }
            return existing
        }
        constants.append(Constant(shape: shape, source: .parameter(key: key)))
        keys[key] = constants.count - 1
        return constants.count - 1
    }

    /// A learned tensor used directly as a value (`self.layer_scale_1`, SA's `cweight`).
    public func parameterTensor(_ name: String, _ shape: Shape) throws -> Tensor {
        try apply(.constant, [], constants: [try parameter(name, shape)])
    }

    /// Adds a constant derived from others (e.g. a reshaped weight).
    public func derivedConstant(_ shape: Shape, _ source: ConstSource) -> ConstID {
        constants.append(Constant(shape: shape, source: source))
        return constants.count - 1
    }

    func constantShape(_ id: ConstID) -> Shape { constants[id].shape }

    /// Runs `body` with parameter reuse on: re-applying a module shares its weights.
    func reusingParameters<T>(_ body: () throws -> T) rethrows -> T {
        let saved = reusing
        reusing = true
        defer { reusing = saved }
        return try body()
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
