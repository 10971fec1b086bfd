import Kiln

/// Plain scalar implementations of each op, written for clarity, that the compiled C is checked against.
enum Reference {
    static func conv2d(_ x: [Float], _ s: Shape, weight w: [Float], bias: [Float]?, outChannels: Int,
                       kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
                       groups: Int) -> ([Float], Shape) {
        let (n, cin, h, wd) = (s[0], s[1], s[2], s[3])
        let oh = (h + 2 * padding.0 - dilation.0 * (kernel.0 - 1) - 1) / stride.0 + 1
        let ow = (wd + 2 * padding.1 - dilation.1 * (kernel.1 - 1) - 1) / stride.1 + 1
        let cg = cin / groups, mg = outChannels / groups
        var y = [Float](repeating: 0, count: n * outChannels * oh * ow)
        for b in 0..<n { for co in 0..<outChannels { for i in 0..<oh { for j in 0..<ow {
            let g = co / mg
            var acc: Double = Double(bias?[co] ?? 0)
            for ci in 0..<cg { for kh in 0..<kernel.0 { for kw in 0..<kernel.1 {
                let ih = i * stride.0 - padding.0 + kh * dilation.0
                let iw = j * stride.1 - padding.1 + kw * dilation.1
                guard ih >= 0, ih < h, iw >= 0, iw < wd else { continue }
                let xv = x[((b * cin + g * cg + ci) * h + ih) * wd + iw]
                let wv = w[((co * cg + ci) * kernel.0 + kh) * kernel.1 + kw]
                acc += Double(xv) * Double(wv)
            } } }
            y[((b * outChannels + co) * oh + i) * ow + j] = Float(acc)
        } } } }
        return (y, [n, outChannels, oh, ow])
    }

    static func batchNorm(_ x: [Float], _ s: Shape, gamma: [Float], beta: [Float], mean: [Float], variance: [Float],
                          eps: Float) -> [Float] {
        let hw = s[2] * s[3]
        return x.enumerated().map { i, v in
            let c = (i / hw) % s[1]
            return (v - mean[c]) / (variance[c] + eps).squareRoot() * gamma[c] + beta[c]
        }
    }

    static func relu(_ x: [Float]) -> [Float] { x.map { max($0, 0) } }

    static func maxPool(_ x: [Float], _ s: Shape, kernel: Int, stride: Int, padding: Int) -> ([Float], Shape) {
        let oh = (s[2] + 2 * padding - kernel) / stride + 1, ow = (s[3] + 2 * padding - kernel) / stride + 1
        var y: [Float] = []
        for nc in 0..<(s[0] * s[1]) { for i in 0..<oh { for j in 0..<ow {
            var m = -Float.infinity
            for kh in 0..<kernel { for kw in 0..<kernel {
                let ih = i * stride - padding + kh, iw = j * stride - padding + kw
                if ih >= 0, ih < s[2], iw >= 0, iw < s[3] { m = max(m, x[(nc * s[2] + ih) * s[3] + iw]) }
            } }
            y.append(m)
        } } }
        return (y, [s[0], s[1], oh, ow])
    }

    static func globalAvgPool(_ x: [Float], _ s: Shape) -> [Float] {
        let hw = s[2] * s[3]
        return (0..<(s[0] * s[1])).map { nc in
            Float(x[(nc * hw)..<((nc + 1) * hw)].reduce(0.0) { $0 + Double($1) } / Double(hw))
        }
    }

    static func linear(_ x: [Float], batch: Int, weight w: [Float], bias: [Float]?, inFeatures: Int, outFeatures: Int) -> [Float] {
        var y: [Float] = []
        for b in 0..<batch { for o in 0..<outFeatures {
            var acc = Double(bias?[o] ?? 0)
            for i in 0..<inFeatures { acc += Double(x[b * inFeatures + i]) * Double(w[o * inFeatures + i]) }
            y.append(Float(acc))
        } }
        return y
    }
}

/// Largest absolute difference between two equally long arrays.
func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
