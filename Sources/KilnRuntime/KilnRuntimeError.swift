/// Every failure KilnRuntime can report, as one enum so callers can match on the case and
/// show `description` to the user unchanged: each message is one sentence that names the
/// file, key, shape, compiler or directory involved and, where there is one, the fix.
public enum KilnRuntimeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be opened, stat'ed or mapped.
    case fileUnreadable(path: String, reason: String)
    /// The safetensors file ends before its header (or its 8-byte length prefix) does.
    case safetensorsTruncated(path: String, reason: String)
    /// The u64 header length is zero or larger than the rest of the file.
    case badHeaderLength(path: String, headerLength: UInt64, fileSize: Int)
    /// The header is not a UTF-8 JSON object.
    case malformedHeader(path: String, reason: String)
    /// One header entry is unusable (unknown dtype, bad shape, size mismatch, ...).
    case badEntry(path: String, key: String, reason: String)
    /// A tensor's `data_offsets` fall outside the data section.
    case offsetsOutOfRange(path: String, key: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors claim overlapping bytes of the data section.
    case overlappingOffsets(path: String, key: String, other: String)
    /// The tensor exists but has another element type than the caller needs.
    case wrongDtype(key: String, found: String, expected: String)
    /// The tensor exists but has another shape than the model needs.
    case wrongShape(key: String, found: [Int], expected: [Int])
    /// The model needs a tensor that the weights do not contain.
    case missingKey(key: String)
    /// The weights contain a tensor that the model does not use.
    case unexpectedKey(key: String)
    /// A file (safetensors output, cache entry, build input) could not be written.
    case writeFailed(path: String, reason: String)
    /// No usable C compiler was found; `tried` lists what was looked for.
    case noCompiler(tried: String)
    /// The compiler works but cannot build and run an OpenMP program.
    case noOpenMP(compiler: String, detail: String)
    /// A compile or link step failed; the sources and the full log were kept in `directory`.
    case compileFailed(command: String, log: String, directory: String)
    /// `dlopen` refused the shared object.
    case dlopenFailed(path: String, message: String)
    /// `dlsym` did not find the symbol (or the requested Swift type cannot hold it).
    case dlsymFailed(path: String, symbol: String, message: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "File not found: \(path)."
        case let .fileUnreadable(path, reason):
            return "Cannot read \(path): \(reason)."
        case let .safetensorsTruncated(path, reason):
            return "Safetensors file \(path) is truncated: \(reason)."
        case let .badHeaderLength(path, headerLength, fileSize):
            return "Safetensors file \(path) declares a \(headerLength)-byte header, but the file is only \(fileSize) bytes long (it is truncated or not a safetensors file)."
        case let .malformedHeader(path, reason):
            return "Safetensors file \(path) has a malformed JSON header: \(reason)."
        case let .badEntry(path, key, reason):
            return "Safetensors file \(path) has a bad entry for tensor '\(key)': \(reason)."
        case let .offsetsOutOfRange(path, key, begin, end, dataSize):
            return "Safetensors file \(path): tensor '\(key)' has data_offsets [\(begin), \(end)] outside the \(dataSize)-byte data section (the file may be truncated)."
        case let .overlappingOffsets(path, key, other):
            return "Safetensors file \(path): the data of tensor '\(key)' overlaps the data of tensor '\(other)'."
        case let .wrongDtype(key, found, expected):
            return "Tensor '\(key)' has dtype \(found), but \(expected) is required."
        case let .wrongShape(key, found, expected):
            return "Tensor '\(key)' has shape \(found), but the model expects \(expected)."
        case let .missingKey(key):
            return "The weights have no tensor named '\(key)', which the model needs."
        case let .unexpectedKey(key):
            return "The weights contain a tensor '\(key)' that the model does not use."
        case let .writeFailed(path, reason):
            return "Cannot write \(path): \(reason)."
        case let .noCompiler(tried):
            return "No C compiler found (looked for \(tried)); install one with `apt-get install clang` (or `apt-get install gcc`), or set $CC."
        case let .noOpenMP(compiler, detail):
            return "The C compiler \(compiler) cannot build OpenMP code (\(detail)); for clang run `apt-get install libomp-dev`, for gcc make sure libgomp is installed (it ships with gcc), or set KILN_NO_OPENMP=1 to build single-threaded code."
        case let .compileFailed(command, log, directory):
            return "C compilation failed: `\(command)` reported:\n\(log)\nThe sources and the full log (build.log) were kept in \(directory)."
        case let .dlopenFailed(path, message):
            return "Cannot load the shared library \(path): \(message)."
        case let .dlsymFailed(path, symbol, message):
            return "The shared library \(path) has no usable symbol '\(symbol)': \(message)."
        }
    }
}
