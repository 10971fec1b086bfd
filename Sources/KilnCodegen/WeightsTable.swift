import KilnIR

/// The tensor table of a weights file (templates/runtime/kiln_blob.c): where each prepared
/// constant sits in the float buffer, under a readable name, and the fingerprint that ties
/// a weights file to the code generated for the same layout.
///
/// The generator compiles the fingerprint into the C; the emitter writes it into the file's
/// header. Weights for another model, or for another compile of the same model whose passes
/// laid the buffer out differently, are then refused instead of silently misread.
public struct WeightsTable: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        /// The checkpoint key, or how a derived constant was made, e.g. `pack6(conv1.weight*bn_scale(bn1.weight))`.
        public var name: String
        /// Offset from the start of the float data, in floats (a multiple of 16).
        public var offset: Int
        /// Floats stored, including the zero rows of packed weights.
        public var floats: Int
        public var shape: [Int]
    }

    public var entries: [Entry]
    /// Floats of the whole buffer, padding included.
    public var totalFloats: Int

    public init(_ g: Graph) {
        let layout = ConstantLayout(g)
        entries = layout.order.map { id in
            Entry(name: Self.name(of: id, in: g), offset: layout.offsets[id]!,
                  floats: g.constants[id].storageFloats, shape: g.constants[id].shape.dims)
        }
        totalFloats = layout.totalFloats
    }

    /// The table and the names as stored in the file: 64 bytes per entry, then the UTF-8 names.
    public var encoded: [UInt8] {
        var table: [UInt8] = [], names: [UInt8] = []
        for e in entries {
            let utf8 = Array(e.name.utf8)
            table += le64(e.offset) + le64(e.floats) + le32(names.count) + le32(utf8.count)
            table += le32(min(e.shape.count, 8)) + le32(0)
            table += (0..<8).flatMap { le32($0 < e.shape.count ? e.shape[$0] : 0) }
            names += utf8
        }
        return table + names
    }

    /// FNV-1a-64 of `encoded` (the `fingerprint` field of the file header).
    public var fingerprint: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in encoded { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// A C literal of `fingerprint`, e.g. `0x1f2e3d4c5b6a7988ULL`.
    public var fingerprintLiteral: String {
        let digits = String(fingerprint, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits + "ULL"
    }

    /// A readable account of how a constant was made from checkpoint tensors.
    static func name(of id: ConstID, in g: Graph) -> String {
        let n = { name(of: $0, in: g) }
        switch g.constants[id].source {
        case .parameter(let key): return key
        case .bnScale(let gamma, _, _): return "bn_scale(\(n(gamma)))"
        case .bnShift(let gamma, _, _, _, _): return "bn_shift(\(n(gamma)))"
        case .scaleRows(let w, let scale): return "\(n(w))*\(n(scale))"
        case .affineBias(let bias, _, let shift): return bias.map { "bias(\(n($0)))" } ?? n(shift)
        case .scaledResidualBias(let bias, let scale, _, _): return "\(bias.map { "bias(\(n($0)))" } ?? "bias")*\(n(scale))"
        case .scaleColumns(let w, let scale, _): return "\(n(w))*in(\(n(scale)))"
        case .shiftedBias(let w, let bias, let shift, _): return "\(bias.map { n($0) + "+" } ?? "")\(n(w))@\(n(shift))"
        case .reshaped(let source): return n(source)
        case .packGemm(let w, _, let rows): return "pack\(rows)(\(n(w)))"
        case .packWinograd(let w, let tile, let rows): return "winograd\(tile)x\(tile)_\(rows)(\(n(w)))"
        }
    }
}

func le64(_ v: Int) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: UInt64(truncatingIfNeeded: v) >> (8 * $0)) } }
func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: UInt32(truncatingIfNeeded: v) >> (8 * $0)) } }
