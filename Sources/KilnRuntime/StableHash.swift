/// A 128-bit non-cryptographic hash (two FNV-1a-64 lanes with different offset bases, each
/// finished with a SplitMix64 mix) used for cache keys and cache-entry checksums.
///
/// It only has to tell apart honest inputs (no adversary picks cache contents) and must be
/// stable across runs and machines, which Swift's randomly seeded `Hasher` is not; it avoids a
/// dependency on a crypto package. Every field is length-prefixed, so ("ab","c") ≠ ("a","bc").
struct StableHash {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x6c62_272e_07bb_0142
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// Feeds raw bytes (no length prefix).
    mutating func update(bytes: UnsafeRawBufferPointer) {
        var a = self.a, b = self.b
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* Self.prime
            b = (b ^ UInt64(byte ^ 0x5c)) &* Self.prime
        }
        self.a = a
        self.b = b
    }

    /// Feeds a 64-bit integer, little-endian.
    mutating func update(_ value: Int) {
        withUnsafeBytes(of: UInt64(truncatingIfNeeded: value).littleEndian) { update(bytes: $0) }
    }

    /// Feeds a length-prefixed UTF-8 string.
    mutating func update(_ string: String) {
        var copy = string
        copy.withUTF8 { utf8 in
            update(utf8.count)
            update(bytes: UnsafeRawBufferPointer(utf8))
        }
    }

    /// Feeds a count-prefixed list of strings.
    mutating func update(_ strings: [String]) {
        update(strings.count)
        for s in strings { update(s) }
    }

    /// 32 lowercase hex digits.
    var hex: String {
        [SeededWeights.splitmix64(a), SeededWeights.splitmix64(b ^ a)]
            .map { value in
                let digits = String(value, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }
            .joined()
    }
}
