/// Why C could not be generated for a graph.
public enum CodegenError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingTemplate(path: String, directory: String)
    case unsupportedOp(layer: String, op: String)
    case unplanned
    case invalidPrefix(String)

    public var description: String {
        switch self {
        case .missingTemplate(let path, let directory):
            return "C template '\(path)' not found in \(directory); set KILN_TEMPLATES to the templates/ folder"
        case .unsupportedOp(let layer, let op):
            return "layer '\(layer)': no C template implements \(op)"
        case .unplanned:
            return "internal error: codegen needs a graph with a memory plan (run the pass pipeline first)"
        case .invalidPrefix(let name):
            return "'\(name)' cannot prefix C symbols: use letters, digits and '_', not starting with a digit"
        }
    }
}
