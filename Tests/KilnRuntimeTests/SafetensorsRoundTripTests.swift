import Foundation
import Testing
@testable import KilnRuntime

@Suite struct SafetensorsRoundTripTests {
    @Test func writeThenReadGivesBackEverything() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let path = (dir as NSString).appendingPathComponent("w.safetensors")
        let conv = (0..<24).map { Float($0) * 0.5 - 3 }
        try SafetensorsWriter.write([
            (name: "conv.weight", shape: [2, 3, 2, 2], data: conv),
            (name: "bn.bias", shape: [3], data: [1, -2, .greatestFiniteMagnitude]),
            (name: "empty", shape: [0, 4], data: []),
            (name: "scalar", shape: [], data: [42]),
        ], to: path, metadata: ["format": "pt", "note": "a/b"])

        let file = try SafetensorsFile(path: path)
        #expect(file.keys == ["bn.bias", "conv.weight", "empty", "scalar"])
        #expect(file.metadata == ["format": "pt", "note": "a/b"])
        #expect(try file.info("conv.weight") == .init(dtype: "F32", shape: [2, 3, 2, 2], dataOffsets: 0..<96))
        #expect(try file.floats("conv.weight") == conv)
        #expect(try file.floats("bn.bias", shape: [3]) == [1, -2, .greatestFiniteMagnitude])
        #expect(try file.floats("empty").isEmpty)
        #expect(try file.floats("scalar") == [42])
        #expect(try file.withFloats("conv.weight") { $0.count } == 24)

        // No temporary files left behind by the atomic write.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["w.safetensors"])
        // Header length is a multiple of 8, so the data section is aligned.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + Int(headerLength) + 4 * (24 + 3 + 0 + 1))
    }

    @Test func overwritingReplacesTheFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let path = (dir as NSString).appendingPathComponent("w.safetensors")
        try SafetensorsWriter.write([(name: "a", shape: [1], data: [1])], to: path)
        try SafetensorsWriter.write([(name: "b", shape: [2], data: [2, 3])], to: path)
        let file = try SafetensorsFile(path: path)
        #expect(file.keys == ["b"])
        #expect(try file.floats("b") == [2, 3])
    }

    @Test func unalignedDataIsCopiedCorrectly() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        // A 61-byte header (odd on purpose) puts the data section at offset 69, and the
        // tensor at data offset 1, i.e. byte 70: not 4-byte aligned.
        var header = #"{"x":{"dtype":"F32","shape":[3],"data_offsets":[1,13]}}"#
        header += String(repeating: " ", count: 61 - header.utf8.count)
        let path = try writeFile(rawSafetensors(header: header, data: [0xAA] + floatBytes([1.5, -2.25, 1e-30])), "u.safetensors", in: dir)
        let file = try SafetensorsFile(path: path)
        #expect(try file.floats("x") == [1.5, -2.25, 1e-30])
        let sum = try file.withFloats("x") { $0.reduce(0, +) }
        #expect(sum == 1.5 - 2.25 + 1e-30)
    }

    @Test func writerRejectsInconsistentTensors() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let path = (dir as NSString).appendingPathComponent("bad.safetensors")
        #expect(throws: KilnRuntimeError.writeFailed(path: path, reason: "tensor 'a' has 5 values but shape [2, 3] needs 6")) {
            try SafetensorsWriter.write([(name: "a", shape: [2, 3], data: [1, 2, 3, 4, 5])], to: path)
        }
        #expect(throws: KilnRuntimeError.writeFailed(path: path, reason: "tensor 'a' appears twice")) {
            try SafetensorsWriter.write([(name: "a", shape: [1], data: [1]), (name: "a", shape: [1], data: [1])], to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
