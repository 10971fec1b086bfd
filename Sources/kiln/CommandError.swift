/// A failure the CLI reports in one sentence (printed as `Error: ...`, exit code 1), without
/// the usage text that `ValidationError` adds for malformed arguments.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
