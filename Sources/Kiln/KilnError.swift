import KilnIR

/// Errors of the compile-and-run API that are not the IR's, codegen's or the runtime's own.
public enum KilnError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The weights do not fit the network: the first key the network needs that they lack,
    /// and the first key they have that the network does not use.
    case weightsMismatch(model: String, missing: String?, missingCount: Int, unexpected: String?, unexpectedCount: Int)
    /// The input tensor's shape does not match the shape the model was compiled for.
    case inputShape(expected: Shape, got: Shape)
    /// The input is not something the network can run on (wrong rank, empty batch, ...).
    case invalidInput(String)
    /// `--debug-layer` named a module the network does not have.
    case unknownLayer(path: String, nearby: [String])
    /// The compiled model refused to start or run (status code from C).
    case runtime(String)
    /// A tuning file (`--tune`) that cannot be read or written, or is not one.
    case tuningFile(path: String, problem: String)

    public var description: String {
        switch self {
        case let .weightsMismatch(model, missing, missingCount, unexpected, unexpectedCount):
            var parts: [String] = []
            if let missing { parts.append("\(missingCount) key\(missingCount == 1 ? "" : "s") missing (first: '\(missing)')") }
            if let unexpected { parts.append("\(unexpectedCount) unexpected key\(unexpectedCount == 1 ? "" : "s") (first: '\(unexpected)')") }
            return "the weights do not match model '\(model)': " + parts.joined(separator: ", ")
                + "; is this checkpoint for another network?"
        case let .inputShape(expected, got):
            return "input has shape \(got), but the model was compiled for \(expected)"
        case let .invalidInput(detail):
            return "invalid input: \(detail)"
        case let .unknownLayer(path, nearby):
            return "the network has no module '\(path)'" + (nearby.isEmpty ? "" : "; modules near it: " + nearby.joined(separator: ", "))
        case let .runtime(detail):
            return detail
        case let .tuningFile(path, problem):
            return "tuning file \(path): \(problem)"
        }
    }
}
