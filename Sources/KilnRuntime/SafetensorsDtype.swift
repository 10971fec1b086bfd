/// The element types the safetensors format defines, with their sizes, so the reader can
/// check that every entry's byte range is exactly `count * size` even for tensors Kiln never
/// reads (an F16 tensor with a wrong length is still a corrupt file).
enum SafetensorsDtype {
    /// Bytes per element for each dtype string; `nil` for strings the format does not define.
    static func byteSize(_ dtype: String) -> Int? {
        switch dtype {
        case "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2": return 1
        case "U16", "I16", "F16", "BF16": return 2
        case "U32", "I32", "F32": return 4
        case "U64", "I64", "F64": return 8
        default: return nil
        }
    }
}
