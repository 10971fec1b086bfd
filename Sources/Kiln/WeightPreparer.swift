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
        case let .reshaped(source):
            return try value(source)
        case let .packGemm(w, groups, rows):
            return pack(try value(w), shape: c.shape, groups: groups, rows: rows, storage: c.storageFloats)
        }
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
