import KilnIR
import KilnRuntime

/// Where checkpoint parameters come from: a safetensors file, or the seeded generator.
public protocol WeightSource {
    /// The parameter's values; throws if it is absent or of another shape or dtype.
    func floats(key: String, shape: Shape) throws -> [Float]
    /// Every key the source holds, to report unexpected ones; `nil` if it makes any key on demand.
    var keys: [String]? { get }
}

/// Deterministic random weights from a seed (the generator in docs/DESIGN.md).
public struct SeededWeightSource: WeightSource {
    public var seed: UInt64
    public init(seed: UInt64) { self.seed = seed }
    public func floats(key: String, shape: Shape) throws -> [Float] {
        SeededWeights.tensor(key: key, shape: shape.dims, seed: seed)
    }
    public var keys: [String]? { nil }
}

/// A PyTorch checkpoint saved with safetensors, read by its `state_dict` keys.
public struct SafetensorsWeightSource: WeightSource {
    public let file: SafetensorsFile
    public init(path: String) throws { file = try SafetensorsFile(path: path) }

    public func floats(key: String, shape: Shape) throws -> [Float] {
        guard let info = file.tensors[key] else { throw KilnRuntimeError.missingKey(key: key) }
        guard info.shape == shape.dims else {
            throw KilnRuntimeError.wrongShape(key: key, found: info.shape, expected: shape.dims)
        }
        return try file.floats(key)
    }

    /// `num_batches_tracked` counters are training state; inference ignores them.
    public var keys: [String]? { file.keys.filter { !$0.hasSuffix("num_batches_tracked") } }
}
