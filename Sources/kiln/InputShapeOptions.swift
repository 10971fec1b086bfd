import ArgumentParser
import KilnIR

/// The input shape of the commands that compile for one (`compile`, `run`, `profile`):
/// `--shape N,C,H,W`, and `--batch N` as `kiln bench` and `kiln emit` spell the batch.
struct InputShapeOptions: ParsableArguments {
    @Option(help: "Input shape N,C,H,W.")
    var shape = "1,3,224,224"

    @Option(help: "Batch size: replaces the N of --shape.")
    var batch: Int?

    /// The shape asked for, or one error that quotes what was given.
    func dims() throws -> Shape {
        let parts = shape.split(separator: ",", omittingEmptySubsequences: false)
        var dims = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, dims.count == 4, dims.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--shape must be four positive integers N,C,H,W, got '\(shape)'")
        }
        if let batch {
            guard batch > 0 else { throw ValidationError("--batch must be positive, got \(batch)") }
            dims[0] = batch
        }
        return Shape(dims)
    }
}
