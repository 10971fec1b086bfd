import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only, memory-mapped safetensors file.
///
/// The file is mapped rather than read so that loading a large model costs no copy and no
/// resident memory until a tensor is touched; `withFloats` hands out pointers straight into
/// the mapping. Everything in the header is validated up front (see `SafetensorsHeader`), so
/// a damaged or hostile file produces a `KilnRuntimeError`, never a crash. (As with any
/// mapping, truncating the file on disk while it is open can still raise SIGBUS.)
public final class SafetensorsFile: @unchecked Sendable {
    /// One tensor's header entry. `dataOffsets` is relative to the start of the data section.
    public struct TensorInfo: Equatable, Sendable {
        public let dtype: String
        public let shape: [Int]
        public let dataOffsets: Range<Int>

        public init(dtype: String, shape: [Int], dataOffsets: Range<Int>) {
            self.dtype = dtype
            self.shape = shape
            self.dataOffsets = dataOffsets
        }
    }

    /// The path the file was opened from, used in error messages.
    public let path: String
    /// Every tensor in the file, by name (`__metadata__` excluded).
    public let tensors: [String: TensorInfo]
    /// The `__metadata__` string map, empty if absent or not string-valued.
    public let metadata: [String: String]
    /// Tensor names, sorted, for deterministic iteration and messages.
    public var keys: [String] { tensors.keys.sorted() }

    private let base: UnsafeMutableRawPointer
    private let mappedSize: Int
    private let dataStart: Int

    /// Opens, maps and validates the file at `path`.
    public init(path: String) throws {
        self.path = path
        let mapping = try Self.map(path)
        do {
            let headerLength = try Self.headerLength(mapping.base, size: mapping.size, path: path)
            let json = Data(bytes: mapping.base + 8, count: headerLength)
            let header = try SafetensorsHeader.parse(json, dataSize: mapping.size - 8 - headerLength, path: path)
            self.tensors = header.tensors
            self.metadata = header.metadata
            self.dataStart = 8 + headerLength
        } catch {
            munmap(mapping.base, mapping.size)
            throw error
        }
        self.base = mapping.base
        self.mappedSize = mapping.size
    }

    deinit {
        munmap(base, mappedSize)
    }

    /// The header entry for `key`, or `missingKey`.
    public func info(_ key: String) throws -> TensorInfo {
        guard let info = tensors[key] else { throw KilnRuntimeError.missingKey(key: key) }
        return info
    }

    /// Throws `wrongShape` unless tensor `key` exists and has exactly `expected` as its shape.
    public func checkShape(_ key: String, _ expected: [Int]) throws {
        let found = try info(key).shape
        guard found == expected else { throw KilnRuntimeError.wrongShape(key: key, found: found, expected: expected) }
    }

    /// Checks that the file holds exactly the tensors in `expected`: the first missing one
    /// (sorted) throws `missingKey`, then, unless `allowUnexpected`, the first extra one throws
    /// `unexpectedKey`. Loaders call this so a checkpoint for another variant fails loudly.
    public func checkKeys(_ expected: some Sequence<String>, allowUnexpected: Bool = false) throws {
        let wanted = Set(expected)
        if let missing = wanted.subtracting(tensors.keys).sorted().first {
            throw KilnRuntimeError.missingKey(key: missing)
        }
        if !allowUnexpected, let extra = Set(tensors.keys).subtracting(wanted).sorted().first {
            throw KilnRuntimeError.unexpectedKey(key: extra)
        }
    }

    /// A copy of F32 tensor `key`.
    public func floats(_ key: String) throws -> [Float] {
        try withFloats(key) { Array($0) }
    }

    /// A copy of F32 tensor `key`, after checking its shape (`wrongShape` otherwise).
    public func floats(_ key: String, shape: [Int]) throws -> [Float] {
        try checkShape(key, shape)
        return try floats(key)
    }

    /// Calls `body` with the F32 tensor `key`. The buffer points into the mapping (no copy)
    /// when the data happens to be 4-byte aligned on a little-endian host; otherwise — the
    /// format does not guarantee alignment — it is a temporary aligned copy. Either way it is
    /// only valid inside `body`.
    public func withFloats<R>(_ key: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        let info = try info(key)
        guard info.dtype == "F32" else {
            throw KilnRuntimeError.wrongDtype(key: key, found: info.dtype, expected: "F32")
        }
        let start = UnsafeRawPointer(base) + dataStart + info.dataOffsets.lowerBound
        let byteCount = info.dataOffsets.count
        let count = byteCount / MemoryLayout<Float>.stride
        #if _endian(little)
        if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
            return try UnsafeRawBufferPointer(start: start, count: byteCount).withMemoryRebound(to: Float.self, body)
        }
        #endif
        let copy = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                let bits = start.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                buffer[i] = Float(bitPattern: UInt32(littleEndian: bits))
            }
            initialized = count
        }
        return try copy.withUnsafeBufferPointer(body)
    }

    /// Opens and maps the whole file read-only; the descriptor is closed right away (the
    /// mapping keeps the file alive).
    private static func map(_ path: String) throws -> (base: UnsafeMutableRawPointer, size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw KilnRuntimeError.fileNotFound(path: path) }
            throw KilnRuntimeError.fileUnreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw KilnRuntimeError.fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw KilnRuntimeError.fileUnreadable(path: path, reason: "it is not a regular file")
        }
        let size = Int(status.st_size)
        guard size >= 8 else {
            throw KilnRuntimeError.safetensorsTruncated(path: path, reason: "it is \(size) bytes long, too short for the 8-byte header length")
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw KilnRuntimeError.fileUnreadable(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        return (base, size)
    }

    /// Reads and checks the little-endian u64 header length at the start of the mapping.
    private static func headerLength(_ base: UnsafeMutableRawPointer, size: Int, path: String) throws -> Int {
        let declared = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(size - 8) else {
            throw KilnRuntimeError.badHeaderLength(path: path, headerLength: declared, fileSize: size)
        }
        guard declared > 0 else {
            throw KilnRuntimeError.malformedHeader(path: path, reason: "the header is empty")
        }
        guard declared <= UInt64(SafetensorsHeader.maxHeaderBytes) else {
            throw KilnRuntimeError.malformedHeader(path: path, reason: "the header is \(declared) bytes, more than the \(SafetensorsHeader.maxHeaderBytes)-byte limit")
        }
        return Int(declared)
    }
}
