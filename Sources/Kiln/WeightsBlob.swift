import KilnCodegen

/// Writes the weights file an emitted library loads (format version 1, specified in
/// templates/runtime/kiln_blob.c): a 64-byte header, the tensor table of `WeightsTable`,
/// then the prepared floats, 64-byte aligned so the file can be memory-mapped and used in place.
///
/// The file holds prepared weights (BatchNorm folded, convolutions packed), not the
/// checkpoint: the C side then needs no Swift and no preparation step, at the price of one
/// weights file per compile. The fingerprint in the header makes a mismatched pair fail loudly.
public enum WeightsBlob {
    public static let version = 1
    public static let headerBytes = 64

    /// The whole file for `floats` (laid out as `table` says).
    /// - Precondition: `floats.count == table.totalFloats`.
    public static func encode(_ floats: [Float], table: WeightsTable) -> [UInt8] {
        precondition(floats.count == table.totalFloats, "prepared \(floats.count) floats, the layout has \(table.totalFloats)")
        let tableBytes = table.encoded
        let dataOffset = dataOffset(tableBytes: tableBytes.count)
        let total = encodedBytes(table)
        var out = [UInt8]()
        out.reserveCapacity(total)
        out += Array("KILNWGT\0".utf8)
        out += le(version, 4) + le(headerBytes, 4)
        out += le64(table.fingerprint) + le64(0)  // checksum, filled in below
        out += le(total, 8) + le(dataOffset, 8) + le(floats.count, 8)
        out += le(table.entries.count, 4) + le(0, 4)
        out += tableBytes
        out += [UInt8](repeating: 0, count: dataOffset - out.count)
        #if _endian(little)
        floats.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for f in floats { out += le64(UInt64(f.bitPattern), bytes: 4) }
        #endif
        let sum = out.withUnsafeBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[headerBytes...])) }
        out.replaceSubrange(24..<32, with: le64(sum))
        return out
    }

    /// Size of the file `encode` writes for `table`.
    public static func encodedBytes(_ table: WeightsTable) -> Int {
        dataOffset(tableBytes: table.encoded.count) + table.totalFloats * 4
    }

    private static func dataOffset(tableBytes: Int) -> Int { (headerBytes + tableBytes + 63) / 64 * 64 }

    /// The checksum of kiln_blob.c: 64-bit little-endian words into four lanes of
    /// `rotl(lane ^ word, 31) * 0x9FB21C651E98DF25`, then each lane mixed into the length.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var lane: [UInt64] = (1...4).map { 0x9E37_79B9_7F4A_7C15 &* UInt64($0) }
        for i in 0..<(bytes.count / 8) {
            let x = lane[i & 3] ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            lane[i & 3] = ((x << 31) | (x >> 33)) &* 0x9FB2_1C65_1E98_DF25
        }
        var h = UInt64(bytes.count)
        for l in lane { h = mix64(h ^ l) }
        return h
    }

    static func mix64(_ x: UInt64) -> UInt64 {
        var z = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func le(_ v: Int, _ bytes: Int) -> [UInt8] { le64(UInt64(v), bytes: bytes) }
    private static func le64(_ v: UInt64, bytes: Int = 8) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
    }
}
