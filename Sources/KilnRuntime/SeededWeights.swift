/// The deterministic weight generator of docs/DESIGN.md ("Seeded weights").
///
/// Golden tests store only `(seed, input_seed, shape, expected output)`; the weights are
/// regenerated here and in tools/reference/seeded.py, so this code must stay bit-identical to
/// the Python twin: 64-bit wrapping integer arithmetic (`&+`, `&*`), uniforms built exactly in
/// Double, and a single rounding to Float at the end.
public enum SeededWeights {
    /// The tensor named `key` (a PyTorch state-dict key) with `shape`, for model seed `seed`.
    public static func tensor(key: String, shape: [Int], seed: UInt64) -> [Float] {
        let (scale, offset) = scaleAndOffset(key: key, shape: shape)
        let base = splitmix64(seed ^ fnv1a64(key))
        let count = shape.reduce(1) { $0 * max($1, 0) }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let bits = splitmix64(base &+ UInt64(i)) >> 40
            let u = (Double(bits) + 0.5) / 16_777_216.0
            let s = 2.0 * u - 1.0
            values[i] = Float(offset + scale * s)
        }
        return values
    }

    /// The network input for input seed `seed`: key `"input"`, uniform in (-1, 1).
    public static func input(shape: [Int], seed: UInt64) -> [Float] {
        tensor(key: "input", shape: shape, seed: seed)
    }

    /// The `(scale, offset)` rule table of DESIGN.md; the first matching rule wins.
    /// (`num_batches_tracked` is Python-only and falls into the default rule here.)
    public static func scaleAndOffset(key: String, shape: [Int]) -> (scale: Double, offset: Double) {
        if key == "input" { return (1, 0) }
        if key.hasSuffix("running_var") { return (0.25, 1.0) }
        if key.hasSuffix("running_mean") { return (0.1, 0) }
        if key.hasSuffix(".weight") && shape.count >= 2 {
            let fanIn = shape.dropFirst().reduce(1, *)
            return ((3.0 / Double(fanIn)).squareRoot(), 0)
        }
        if key.hasSuffix(".weight") && shape.count == 1 { return (0.2, 1.0) }
        if key.hasSuffix(".bias") { return (0.1, 0) }
        return (0.5, 0)
    }

    /// 64-bit FNV-1a over the UTF-8 bytes of `s`.
    public static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// The SplitMix64 output function (state advanced once from `x`).
    public static func splitmix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
