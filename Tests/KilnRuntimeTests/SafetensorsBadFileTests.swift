import Foundation
import Testing
@testable import KilnRuntime

/// Every way a damaged or hostile file can be wrong must give its own exact error (and
/// never a crash).
@Suite struct SafetensorsBadFileTests {
    private func open(_ data: Data, _ label: String = #function) throws -> (dir: String, path: String) {
        let dir = try makeTemporaryDirectory(label)
        return (dir, try writeFile(data, "t.safetensors", in: dir))
    }

    private func expectError(_ expected: KilnRuntimeError, header: String, data: [UInt8] = [], declaredLength: UInt64? = nil,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (dir, path) = try open(rawSafetensors(header: header, data: data, declaredLength: declaredLength))
        defer { removeDirectory(dir) }
        let fixed = expected.withPath(path)
        #expect(throws: fixed, sourceLocation: sourceLocation) { try SafetensorsFile(path: path) }
    }

    @Test func missingFile() {
        #expect(throws: KilnRuntimeError.fileNotFound(path: "/nonexistent/kiln.safetensors")) {
            try SafetensorsFile(path: "/nonexistent/kiln.safetensors")
        }
    }

    @Test func directoryIsUnreadable() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        #expect(throws: KilnRuntimeError.fileUnreadable(path: dir, reason: "it is not a regular file")) {
            try SafetensorsFile(path: dir)
        }
    }

    @Test func truncatedBeforeTheLength() throws {
        let (dir, path) = try open(Data([1, 0, 0, 0, 0]))
        defer { removeDirectory(dir) }
        #expect(throws: KilnRuntimeError.safetensorsTruncated(path: path, reason: "it is 5 bytes long, too short for the 8-byte header length")) {
            try SafetensorsFile(path: path)
        }
    }

    @Test func headerLengthBeyondTheFile() throws {
        try expectError(.badHeaderLength(path: "", headerLength: 1000, fileSize: 8 + 2), header: "{}", declaredLength: 1000)
        try expectError(.badHeaderLength(path: "", headerLength: .max, fileSize: 8 + 2), header: "{}", declaredLength: .max)
    }

    @Test func emptyAndOversizedHeaders() throws {
        try expectError(.malformedHeader(path: "", reason: "the header is empty"), header: "", declaredLength: 0)
    }

    @Test func malformedJSON() throws {
        let (dir, path) = try open(rawSafetensors(header: #"{"a": {"dtype": "F32""#))
        defer { removeDirectory(dir) }
        do {
            _ = try SafetensorsFile(path: path)
            Issue.record("expected an error")
        } catch let KilnRuntimeError.malformedHeader(errorPath, reason) {
            #expect(errorPath == path)
            #expect(reason.hasPrefix("not valid JSON"))
        }
        try expectError(.malformedHeader(path: "", reason: "the top level is not a JSON object"), header: "[1, 2]")
        // Invalid UTF-8 in the header.
        let (dir2, path2) = try open(rawSafetensors(header: "{\u{7F}}") .replacingByte(at: 9, with: 0xFF))
        defer { removeDirectory(dir2) }
        #expect(throws: KilnRuntimeError.self) { try SafetensorsFile(path: path2) }
    }

    @Test func deeplyNestedJSONDoesNotCrash() throws {
        let header = #"{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let (dir, path) = try open(rawSafetensors(header: header))
        defer { removeDirectory(dir) }
        #expect(throws: KilnRuntimeError.self) { try SafetensorsFile(path: path) }
    }

    @Test func badEntries() throws {
        func entry(_ body: String) -> String { #"{"t": \#(body)}"# }
        try expectError(.badEntry(path: "", key: "t", reason: "the entry is not a JSON object"), header: entry("3"))
        try expectError(.badEntry(path: "", key: "t", reason: "\"dtype\" is missing or not a string"),
                        header: entry(#"{"shape": [1], "data_offsets": [0, 4]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "unknown dtype \"F31\""),
                        header: entry(#"{"dtype": "F31", "shape": [1], "data_offsets": [0, 4]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "\"shape\" must contain non-negative integers"),
                        header: entry(#"{"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "\"shape\" must contain non-negative integers"),
                        header: entry(#"{"dtype": "F32", "shape": [true], "data_offsets": [0, 4]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "\"shape\" must contain non-negative integers"),
                        header: entry(#"{"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "\"shape\" is missing or not an array"),
                        header: entry(#"{"dtype": "F32", "shape": 1, "data_offsets": [0, 4]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "\"data_offsets\" must be an array of two integers"),
                        header: entry(#"{"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "\"data_offsets\" must be an array of two integers"),
                        header: entry(#"{"dtype": "F32", "shape": [1], "data_offsets": [0, 99999999999999999999999]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "shape [2] of F32 needs 8 bytes but data_offsets [0, 4] span 4"),
                        header: entry(#"{"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}"#), data: [0, 0, 0, 0])
        try expectError(.badEntry(path: "", key: "t", reason: "shape [4611686018427387904, 4] is too large"),
                        header: entry(#"{"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 4]}"#), data: [0, 0, 0, 0])
    }

    @Test func offsetsOutOfRange() throws {
        try expectError(.offsetsOutOfRange(path: "", key: "w", begin: 0, end: 16, dataSize: 8),
                        header: #"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#, data: floatBytes([1, 2]))
        try expectError(.offsetsOutOfRange(path: "", key: "w", begin: 8, end: 4, dataSize: 8),
                        header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#, data: floatBytes([1, 2]))
        try expectError(.offsetsOutOfRange(path: "", key: "w", begin: -4, end: 0, dataSize: 8),
                        header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#, data: floatBytes([1, 2]))
    }

    @Test func overlappingOffsets() throws {
        try expectError(.overlappingOffsets(path: "", key: "b", other: "a"),
                        header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#,
                        data: floatBytes([1, 2, 3]))
        // Zero-length tensors overlap nothing.
        let (dir, path) = try open(rawSafetensors(
            header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}}"#,
            data: floatBytes([1, 2])))
        defer { removeDirectory(dir) }
        #expect(try SafetensorsFile(path: path).keys == ["a", "e"])
    }

    @Test func metadataIsIgnored() throws {
        let (dir, path) = try open(rawSafetensors(
            header: #"{"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#, data: floatBytes([7])))
        defer { removeDirectory(dir) }
        let file = try SafetensorsFile(path: path)
        #expect(file.keys == ["a"])
        #expect(file.metadata == ["format": "pt"])
    }

    @Test func wrongDtypeShapeAndKeys() throws {
        let (dir, path) = try open(rawSafetensors(
            header: #"{"i": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]}, "f": {"dtype": "F32", "shape": [2, 1], "data_offsets": [8, 16]}}"#,
            data: floatBytes([1, 2, 3, 4])))
        defer { removeDirectory(dir) }
        let file = try SafetensorsFile(path: path)
        #expect(throws: KilnRuntimeError.wrongDtype(key: "i", found: "I32", expected: "F32")) { try file.floats("i") }
        #expect(throws: KilnRuntimeError.wrongShape(key: "f", found: [2, 1], expected: [2])) { try file.floats("f", shape: [2]) }
        #expect(throws: KilnRuntimeError.missingKey(key: "g")) { try file.floats("g") }
        #expect(throws: KilnRuntimeError.missingKey(key: "g")) { try file.withFloats("g") { $0.count } }
        #expect(throws: KilnRuntimeError.missingKey(key: "g")) { try file.checkKeys(["f", "i", "g"]) }
        #expect(throws: KilnRuntimeError.unexpectedKey(key: "i")) { try file.checkKeys(["f"]) }
        try file.checkKeys(["f"], allowUnexpected: true)
        try file.checkKeys(["f", "i"])
        #expect(try file.floats("f", shape: [2, 1]) == [3, 4])
    }

    /// Random damage to a valid file must only ever produce errors or a valid reading.
    /// 3,000 cases in CI; `KILN_FUZZ_CASES=1000000 swift test --filter randomCorruption` for more.
    @Test func randomCorruptionNeverCrashes() throws {
        let cases = Int(ProcessInfo.processInfo.environment["KILN_FUZZ_CASES"] ?? "") ?? 3000
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let good = (dir as NSString).appendingPathComponent("good.safetensors")
        try SafetensorsWriter.write([(name: "a.weight", shape: [3, 2], data: [1, 2, 3, 4, 5, 6]),
                                     (name: "b", shape: [2], data: [7, 8])], to: good)
        let original = try Data(contentsOf: URL(fileURLWithPath: good))
        var generator = SystemRandomNumberGenerator()
        for round in 0..<cases {
            var bytes = [UInt8](original)
            if round % 3 == 0 {
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let limit = round % 3 == 1 ? min(bytes.count, 8 + 40) : bytes.count
                    bytes[Int.random(in: 0..<limit, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            let path = try writeFile(Data(bytes), "fuzz.safetensors", in: dir)
            if let file = try? SafetensorsFile(path: path) {
                for key in file.keys { _ = try? file.floats(key) }
            }
        }
    }
}

extension KilnRuntimeError {
    /// The same error with its path field replaced (tests build the path after the value).
    func withPath(_ path: String) -> KilnRuntimeError {
        switch self {
        case let .safetensorsTruncated(_, reason): return .safetensorsTruncated(path: path, reason: reason)
        case let .badHeaderLength(_, length, size): return .badHeaderLength(path: path, headerLength: length, fileSize: size)
        case let .malformedHeader(_, reason): return .malformedHeader(path: path, reason: reason)
        case let .badEntry(_, key, reason): return .badEntry(path: path, key: key, reason: reason)
        case let .offsetsOutOfRange(_, key, begin, end, size): return .offsetsOutOfRange(path: path, key: key, begin: begin, end: end, dataSize: size)
        case let .overlappingOffsets(_, key, other): return .overlappingOffsets(path: path, key: key, other: other)
        default: return self
        }
    }
}

extension Data {
    func replacingByte(at index: Int, with byte: UInt8) -> Data {
        var copy = self
        copy[copy.startIndex + index] = byte
        return copy
    }
}
