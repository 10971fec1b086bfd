import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes F32 tensors in the safetensors format, so Kiln can save weights that PyTorch
/// (`safetensors.torch.load_file`) and `SafetensorsFile` both read back.
///
/// The header is padded with spaces to a multiple of 8 bytes so the data section starts
/// 8-byte aligned and readers can use it without copying. The file is written to a temporary
/// name next to `path` and renamed into place, so a reader never sees a half-written file.
public enum SafetensorsWriter {
    /// Writes `tensors` (in the given order, contiguously) and optional string `metadata` to `path`.
    public static func write(_ tensors: [(name: String, shape: [Int], data: [Float])],
                             to path: String, metadata: [String: String] = [:]) throws {
        func fail(_ reason: String) -> KilnRuntimeError { .writeFailed(path: path, reason: reason) }
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header[SafetensorsHeader.metadataKey] = metadata }
        var offset = 0
        for tensor in tensors {
            guard tensor.name != SafetensorsHeader.metadataKey else { throw fail("'\(SafetensorsHeader.metadataKey)' is reserved and cannot name a tensor") }
            guard header[tensor.name] == nil else { throw fail("tensor '\(tensor.name)' appears twice") }
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(tensor.name)' has a negative dimension in shape \(tensor.shape)") }
            var count = 1
            for d in tensor.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("tensor '\(tensor.name)' has an impossibly large shape \(tensor.shape)") }
                count = product
            }
            guard count == tensor.data.count else {
                throw fail("tensor '\(tensor.name)' has \(tensor.data.count) values but shape \(tensor.shape) needs \(count)")
            }
            let bytes = count * MemoryLayout<Float>.size
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json: Data
        do {
            json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw fail("cannot encode the header: \(error.localizedDescription)")
        }
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))

        var file = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        for tensor in tensors {
            #if _endian(little)
            tensor.data.withUnsafeBytes { file.append(contentsOf: $0) }
            #else
            for value in tensor.data {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { file.append(contentsOf: $0) }
            }
            #endif
        }
        try AtomicFile.write(file, to: path)
    }
}
