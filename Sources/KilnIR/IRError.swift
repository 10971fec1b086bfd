/// A model that cannot be built: every case names the layer (module path) at fault.
public enum IRError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The layer's input or parameter has the wrong shape.
    case shapeMismatch(layer: String, detail: String)
    /// An attribute is invalid on its own (zero stride, channels not divisible by groups, ...).
    case invalidAttribute(layer: String, detail: String)
    /// Two parameters of the model would get the same checkpoint key.
    case duplicateKey(key: String)
    /// A module name is empty or contains a dot.
    case invalidName(layer: String, name: String)
    /// The graph broke an invariant after a pass (a bug in Kiln, not in the model).
    case verificationFailed(pass: String, detail: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let layer, let detail):
            return "\(layerName(layer)): \(detail)"
        case .invalidAttribute(let layer, let detail):
            return "\(layerName(layer)): \(detail)"
        case .duplicateKey(let key):
            return "two parameters of the model have the key '\(key)'; give the modules distinct names"
        case .invalidName(let layer, let name):
            return "\(layerName(layer)): module name '\(name)' must be non-empty and contain no '.'"
        case .verificationFailed(let pass, let detail):
            return "internal error: the graph is invalid after pass '\(pass)': \(detail)"
        }
    }
}

private func layerName(_ path: String) -> String {
    path.isEmpty ? "model" : "layer '\(path)'"
}
