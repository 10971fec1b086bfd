import Foundation

/// Parses and validates the JSON header of a safetensors file. Kept apart from the mapping
/// code so that every check a hostile or damaged file can fail lives in one place, and every
/// failure becomes a `KilnRuntimeError` instead of a trap.
enum SafetensorsHeader {
    /// The key safetensors reserves for free-form string metadata; it is not a tensor.
    static let metadataKey = "__metadata__"

    /// Largest header accepted, as in the reference implementation: a bigger one is far more
    /// likely a corrupt length than a real model.
    static let maxHeaderBytes = 100_000_000

    /// Parses `json` and returns the validated tensor table. `dataSize` is the number of bytes
    /// after the header, against which every `data_offsets` pair is checked.
    /// `__metadata__`, if it is a string-to-string object, is returned separately (anything
    /// else there is ignored, as the format allows).
    static func parse(_ json: Data, dataSize: Int, path: String) throws
        -> (tensors: [String: SafetensorsFile.TensorInfo], metadata: [String: String]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json, options: [])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            let trimmed = detail.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
            throw KilnRuntimeError.malformedHeader(path: path, reason: "not valid JSON (\(trimmed))")
        }
        guard let table = object as? [String: Any] else {
            throw KilnRuntimeError.malformedHeader(path: path, reason: "the top level is not a JSON object")
        }
        var tensors: [String: SafetensorsFile.TensorInfo] = [:]
        // Sorted so the same damaged file always reports the same first problem.
        for key in table.keys.sorted() where key != metadataKey {
            tensors[key] = try entry(key: key, value: table[key] as Any, dataSize: dataSize, path: path)
        }
        try checkNoOverlap(tensors, path: path)
        return (tensors, table[metadataKey] as? [String: String] ?? [:])
    }

    /// Validates one `{"dtype", "shape", "data_offsets"}` entry.
    private static func entry(key: String, value: Any, dataSize: Int, path: String) throws -> SafetensorsFile.TensorInfo {
        func bad(_ reason: String) -> KilnRuntimeError { .badEntry(path: path, key: key, reason: reason) }
        guard let fields = value as? [String: Any] else { throw bad("the entry is not a JSON object") }
        guard let dtype = fields["dtype"] as? String else { throw bad("\"dtype\" is missing or not a string") }
        guard let elementSize = SafetensorsDtype.byteSize(dtype) else { throw bad("unknown dtype \"\(dtype)\"") }
        guard let rawShape = fields["shape"] as? [Any] else { throw bad("\"shape\" is missing or not an array") }
        var shape: [Int] = []
        for dim in rawShape {
            guard let d = integer(dim), d >= 0 else { throw bad("\"shape\" must contain non-negative integers") }
            shape.append(d)
        }
        guard let rawOffsets = fields["data_offsets"] as? [Any], rawOffsets.count == 2,
              let begin = integer(rawOffsets[0]), let end = integer(rawOffsets[1]) else {
            throw bad("\"data_offsets\" must be an array of two integers")
        }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw KilnRuntimeError.offsetsOutOfRange(path: path, key: key, begin: begin, end: end, dataSize: dataSize)
        }
        var bytes = elementSize
        for d in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
            guard !overflow else { throw bad("shape \(shape) is too large") }
            bytes = product
        }
        guard bytes == end - begin else {
            throw bad("shape \(shape) of \(dtype) needs \(bytes) bytes but data_offsets [\(begin), \(end)] span \(end - begin)")
        }
        return SafetensorsFile.TensorInfo(dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// Rejects two non-empty tensors that share bytes: writing one would silently change the other.
    private static func checkNoOverlap(_ tensors: [String: SafetensorsFile.TensorInfo], path: String) throws {
        let ranges = tensors.filter { !$0.value.dataOffsets.isEmpty }
            .sorted { ($0.value.dataOffsets.lowerBound, $0.key) < ($1.value.dataOffsets.lowerBound, $1.key) }
        var furthest: (key: String, end: Int)? = nil
        for (key, info) in ranges {
            if let previous = furthest, info.dataOffsets.lowerBound < previous.end {
                throw KilnRuntimeError.overlappingOffsets(path: path, key: key, other: previous.key)
            }
            if info.dataOffsets.upperBound > (furthest?.end ?? Int.min) {
                furthest = (key, info.dataOffsets.upperBound)
            }
        }
    }

    /// A JSON number that is exactly an `Int` (not a Bool, not a fraction, not out of range).
    private static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, !(number is NSDecimalNumber) else { return nil }
        if String(cString: number.objCType) == "c" { return nil } // JSON true/false
        return value as? Int
    }
}
