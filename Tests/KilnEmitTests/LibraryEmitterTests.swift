import Foundation
import Kiln
import KilnCodegen
import Testing

extension EmitSuite {
    /// What `LibraryEmitter` refuses and writes, without building anything.
    @Suite struct LibraryEmitterTests {
        @Test func embeddingRefusedAboveTheLimit() throws {
            var options = EmitOptions()
            options.embedWeights = true
            options.embedLimitBytes = 100_000
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-emit-limit-\(UUID().uuidString)")
            #expect(throws: EmitError.embedTooLarge(bytes: 599_168, limit: 100_000)) {
                try LibraryEmitter.emit(Zoo.entry(named: SmallModel.name)!.build(SmallModel.config), name: SmallModel.name,
                                        input: SmallModel.input, weights: SeededWeightSource(seed: 1), to: dir.path, options: options)
            }
            #expect(EmitError.embedTooLarge(bytes: 599_168, limit: 100_000).description == "the weights are 599168 bytes, too big to embed "
                + "(limit 100000 bytes): C compilers run out of memory on array literals this long, so emit without "
                + "--embed-weights and ship the weights file")
            #expect(EmitError.embedTooLarge(bytes: 98 << 20, limit: 8 << 20).description.hasPrefix("the weights are 98.0 MiB, too big to embed (limit 8.0 MiB)"))
            #expect(!FileManager.default.fileExists(atPath: dir.path))
        }

        /// A folder with the user's own files is never written into; an earlier emit's folder is
        /// updated, and files the new emit no longer writes are removed.
        @Test func outputFolderRules() throws {
            let (dir, first) = try SmallModel.emit()
            try Data("x".utf8).write(to: dir.appendingPathComponent("src/part99.c"))
            let manifest = dir.appendingPathComponent(LibraryEmitter.manifest)
            try (String(contentsOf: manifest, encoding: .utf8) + "src/part99.c\n").write(to: manifest, atomically: true, encoding: .utf8)
            var options = EmitOptions()
            options.prefix = "eca_small"
            let layer = Zoo.entry(named: SmallModel.name)!.build(SmallModel.config)
            let again = try LibraryEmitter.emit(layer, name: SmallModel.name, input: SmallModel.input,
                                                weights: SeededWeightSource(seed: 1), to: dir.path, options: options)
            #expect(again.files == first.files)
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("src/part99.c").path))

            let foreign = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-emit-foreign-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
            try Data("mine".utf8).write(to: foreign.appendingPathComponent("notes.txt"))
            #expect(throws: EmitError.directoryNotEmpty(path: foreign.path, example: "notes.txt")) {
                try LibraryEmitter.emit(layer, name: SmallModel.name, input: SmallModel.input,
                                        weights: SeededWeightSource(seed: 1), to: foreign.path, options: options)
            }
        }

        @Test(arguments: [("resnet50", "resnet50"), ("van-b0", "van_b0"), ("50net", "m_50net")])
        func defaultPrefix(_ name: String, _ prefix: String) {
            #expect(LibraryEmitter.defaultPrefix(for: name) == prefix)
        }

        @Test func invalidPrefixIsRefused() throws {
            #expect(throws: CodegenError.invalidPrefix("9lives")) { try SymbolPrefix("9lives", header: "") }
            #expect(CodegenError.invalidPrefix("a-b").description
                == "'a-b' cannot prefix C symbols: use letters, digits and '_', not starting with a digit")
        }

        /// Only the header's public identifiers are renamed, as whole words, in code and strings.
        @Test func prefixRenamesPublicNamesOnly() throws {
            let header = "/* KILN_VL in a comment */\n#ifndef KILN_H\ntypedef enum kiln_status { KILN_OK = 0 } kiln_status;\nint kiln_run(void);\n"
            let p = try SymbolPrefix("net", header: header)
            let text = "#include \"../runtime/kiln.h\"\nkiln_status kiln_run(void) { return KILN_VL + kiln_runs + KILN_OK; } \"KILN_OK\""
            #expect(p.apply(to: text, includePath: "../net.h")
                == "#include \"../net.h\"\nnet_status net_run(void) { return KILN_VL + kiln_runs + NET_OK; } \"NET_OK\"")
        }

        /// The header layout of templates/runtime/kiln_blob.c, field by field.
        @Test func weightsFileHeader() throws {
            let (dir, report) = try SmallModel.emit()
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("eca_small.weights")))
            func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
            #expect(Array(bytes[0..<8]) == Array("KILNWGT\0".utf8))
            #expect(u64(8) & 0xffff_ffff == 1 && u64(8) >> 32 == 64)
            #expect(u64(32) == bytes.count && bytes.count == report.weightsBytes)
            #expect(u64(40) % 64 == 0 && u64(40) + 4 * u64(48) == bytes.count)
            let checksum = bytes.withUnsafeBytes { WeightsBlob.checksum(UnsafeRawBufferPointer(rebasing: $0[64...])) }
            #expect(u64(24) == Int(bitPattern: UInt(checksum)))
            let model = try String(contentsOf: dir.appendingPathComponent("src/model.c"), encoding: .utf8)
            let fingerprint = String(UInt64(bitPattern: Int64(u64(16))), radix: 16)
            #expect(model.contains("#define KILN_WEIGHTS_FINGERPRINT 0x" + String(repeating: "0", count: 16 - fingerprint.count) + fingerprint + "ULL"))
        }
    }
}
