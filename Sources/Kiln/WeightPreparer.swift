import Foundation
import KilnIR

/// Builds the buffer `kiln_create` takes: every constant the compiled graph reads,
/// evaluated (BatchNorm folding, packing) and placed at its `ConstantLayout` offset.
public enum WeightPreparer {
    /// Checks that `source` holds exactly the model's parameters before reading any of them.
    public static func validate(_ g: Graph, source: WeightSource) throws {
        guard let available = source.keys else { return }
        let expected = g.parameterKeys.map(\.key)
        let have = Set(available), want = Set(expected)
        let missing = expected.filter { !have.contains($0) }
        let unexpected = available.filter { !want.contains($0) }
        if !missing.isEmpty || !unexpected.isEmpty {
            throw KilnError.weightsMismatch(model: g.name, missing: missing.first, missingCount: missing.count,
                                            unexpected: unexpected.first, unexpectedCount: unexpected.count)
        }
    }

    /// - Parameter warn: told about each parameter holding NaN or infinity (the model still
    ///   runs: a checkpoint may mean it, but usually it is a broken export).
    public static func prepare(_ g: Graph, source: WeightSource, warn: ((String) -> Void)? = nil) throws -> [Float] {
        try validate(g, source: source)
        let layout = ConstantLayout(g)
        var cache: [ConstID: [Float]] = [:]
        func value(_ id: ConstID) throws -> [Float] {
            if let v = cache[id] { return v }
            let c = g.constants[id]
            let v: [Float]
            if case .parameter(let key) = c.source {
                v = try source.floats(key: key, shape: c.shape)
                if let bad = v.firstIndex(where: { !$0.isFinite }) {
                    let count = v.lazy.filter { !$0.isFinite }.count
                    warn?("weight '\(key)' has \(count) non-finite value\(count == 1 ? "" : "s") (first at index \(bad): \(v[bad]))")
                }
            } else {
                v = try evaluate(c, value)
            }
            cache[id] = v
            return v
        }
        var buffer = [Float](repeating: 0, count: layout.totalFloats)
        for id in layout.order {
            let v = try value(id)
            buffer.replaceSubrange(layout.offsets[id]! ..< layout.offsets[id]! + v.count, with: v)
        }
        return buffer
    }

    private static func evaluate(_ c: Constant, _ value: (ConstID) throws -> [Float]) throws -> [Float] {
        switch c.source {
        case .parameter:
            preconditionFailure("parameters are read from the weight source")
        case let .bnScale(gamma, variance, eps):
            return zip(try value(gamma), try value(variance)).map { $0 / ($1 + eps).squareRoot() }
        case let .bnShift(gamma, beta, mean, variance, eps):
            let scale = zip(try value(gamma), try value(variance)).map { $0 / ($1 + eps).squareRoot() }
            return zip(try value(beta), zip(try value(mean), scale)).map { $0 - $1.0 * $1.1 }
        case let .scaleRows(w, scaleID):
            let (weights, scale) = (try value(w), try value(scaleID))
            let rowSize = weights.count / scale.count
            return weights.enumerated().map { $1 * scale[$0 / rowSize] }
        case let .affineBias(bias, scaleID, shiftID):
            let (scale, shift) = (try value(scaleID), try value(shiftID))
            guard let bias else { return shift }
            return zip(try value(bias), zip(scale, shift)).map { $0 * $1.0 + $1.1 }
        case let .scaledResidualBias(bias, lsID, aID, tID):
            let (ls, a, t) = (try value(lsID), try value(aID), try value(tID))
            let b = try bias.map { try value($0) } ?? [Float](repeating: 0, count: ls.count)
            return (0..<ls.count).map { ls[$0] * (b[$0] + t[$0]) } + (0..<ls.count).map { ls[$0] * a[$0] + 1 }
        case let .scaleColumns(w, scaleID, groups):
            let (weights, scale) = (try value(w), try value(scaleID))
            let (outs, perIn) = (c.shape[0], c.shape[1]), taps = weights.count / (outs * perIn)
            return weights.enumerated().map { index, v in
                let o = index / (perIn * taps), i = index / taps % perIn
                return v * scale[o / (outs / groups) * perIn + i]
            }
        case let .shiftedBias(w, bias, shiftID, groups):
            let (weights, shift) = (try value(w), try value(shiftID))
            let outs = c.shape[0], perIn = shift.count / groups, taps = weights.count / (outs * perIn)
            let base = try bias.map { try value($0) } ?? [Float](repeating: 0, count: outs)
            return (0..<outs).map { o in
                var sum = Double(base[o])  // in double: up to Cin*kh*kw terms
                for i in 0..<perIn * taps {
                    sum += Double(weights[o * perIn * taps + i]) * Double(shift[o / (outs / groups) * perIn + i / taps])
                }
                return Float(sum)
            }
        case let .reshaped(source):
            return try value(source)
        case let .packGemm(w, groups, rows):
            return pack(try value(w), shape: c.shape, groups: groups, rows: rows, storage: c.storageFloats)
        case let .packWinograd(w, tile, rows):
            return packWinograd(try value(w), shape: c.shape, tile: tile, rows: rows, storage: c.storageFloats)
        }
    }

    /// The G matrices of Winograd F(2×2, 3×3) and F(4×4, 3×3) (points 0, ±1 and 0, ±1, ±2).
    static let winogradG2: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    static let winogradG4: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                                         [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]

    /// Winograd F(tile×tile, 3×3) weights for templates/conv/conv2d_winograd.c: `U = G g Gᵀ` per
    /// (output, input) channel pair, computed in double, laid out `[A²][Cout/rows][Cin][rows]`, A = tile + 2.
    static func packWinograd(_ w: [Float], shape: Shape, tile: Int, rows: Int, storage: Int) -> [Float] {
        let g = tile == 2 ? winogradG2 : winogradG4
        let n = g.count
        let (cout, cin) = (shape[0], shape[1])
        let blocks = (cout + rows - 1) / rows
        var out = [Float](repeating: 0, count: storage)
        for m in 0..<cout {
            for c in 0..<cin {
                let k = (m * cin + c) * 9
                // gg = G g (n×3), then U = gg Gᵀ (n×n).
                var gg = [Double](repeating: 0, count: n * 3)
                for i in 0..<n {
                    for b in 0..<3 {
                        for a in 0..<3 { gg[i * 3 + b] += g[i][a] * Double(w[k + a * 3 + b]) }
                    }
                }
                for i in 0..<n {
                    for j in 0..<n {
                        var u = 0.0
                        for b in 0..<3 { u += gg[i * 3 + b] * g[j][b] }
                        out[(((i * n + j) * blocks + m / rows) * cin + c) * rows + m % rows] = Float(u)
                    }
                }
            }
        }
        return out
    }

    /// Layout of templates/conv/conv2d_gemm.c: per group, per block of `rows` output
    /// channels, `[K][rows]`, zero-padded past the group's channels.
    static func pack(_ w: [Float], shape: Shape, groups: Int, rows: Int, storage: Int) -> [Float] {
        let perGroup = shape[0] / groups, k = shape.count / shape[0]
        let blocks = (perGroup + rows - 1) / rows
        var out = [Float](repeating: 0, count: storage)
        for g in 0..<groups {
            for b in 0..<blocks {
                for r in 0..<rows where b * rows + r < perGroup {
                    let src = (g * perGroup + b * rows + r) * k
                    let dst = ((g * blocks + b) * k) * rows + r
                    for i in 0..<k { out[dst + i * rows] = w[src + i] }
                }
            }
        }
        return out
    }
}
