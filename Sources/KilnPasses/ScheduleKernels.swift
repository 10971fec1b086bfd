import KilnIR

/// Picks the kernel and the loop schedule of every convolution but the depthwise ones from the
/// target and the layer's shape: Winograd, direct or the implicit GEMM (docs/DESIGN.md has the
/// table). It writes only `Node.schedule`; results never depend on it beyond float rounding.
///
/// GEMM:
/// - Register tile: 6 rows × 2 vectors of output pixels (12 accumulators + 2 loads + 1 broadcast
///   fit the 16 vector registers of AVX2). Grouped convs with fewer than 6 output channels per
///   group (EPSANet's branches) take rows = channels per group, so no row is padding, and
///   widen to 4 vectors when that leaves registers free.
/// - Pixel tile: the widest multiple of the register width whose packed panel (K × tile floats)
///   fits in 256 KiB, clamped to [64, 256] pixels (measured flat in that range on ResNet shapes),
///   so the panel stays in L2 while every row block streams over it; or one register width
///   more if that holds the whole map (VAN's 320-channel 1×1s at 14²: 208 pixels, not 192 and a
///   tile of 4: 3–8% faster on those kernels in the network, in 3 interleaved A/B runs).
/// - Channel chunks: output channels are split into one chunk per thread when pixel tiles
///   alone would leave threads idle. The chunks of a tile share its packed panel when all the
///   panels fit in a thread's scratch, else each repacks it; so a conv with a depthwise
///   prologue (FuseDepthwisePrologue), whose pack is real work, splits its pixels instead: in
///   tiles of whole rows within each thread's share of the rows (`prologueRowTile`).
/// - Channels along the lanes: where the map's pixels would leave over 15% of the tile's lanes
///   empty (7×7 maps at 16 lanes), the GEMM tile is 2 vectors of output channels × a few pixels
///   instead (`channelLaneSchedule`); with 32 registers also on 14×14 maps at K ≥ 256, whose
///   2 vectors × 14 pixels hold 28 accumulators (rows of one vector from K 160).
/// - Direct convolution (templates/conv/conv2d_direct.c) for grouped convs with at most 32
///   output channels per group (EPSANet's 5×5/g4, 7×7/g8, 9×9/g16): im2col would copy each input
///   KH·KW times to feed a handful of rows. EPSANet-50 went from 115 to 53 ms. Depthwise convs keep
///   their own kernel (conv2d_depthwise.c), measured 20% faster than this one on VAN-b0's.
///   Register tile: 4, 3, 2 or 1 output channels (the largest dividing the group's) × 3–4 vectors.
/// - Winograd F(4×4, 3×3) for 3×3 stride-1 undilated dense convs with at least 16 channels in
///   and out and at least one full block of 2 vectors of 4×4 tiles: 1/4 of the multiplies,
///   measured 2–3× faster than the GEMM on ResNet-50's 56², 28² and 14² layers. On 7² maps at
///   batch 1 its 4 tiles fill a quarter of a block (0.85× the GEMM), so F(2×2, 3×3) takes them:
///   16 tiles, 1/2.25 of the multiplies, measured 1.9× the GEMM. Tile groups keep the
///   transformed data of a group within about 1 MiB where each thread takes 3 or more whole
///   groups; groups the threads would share (in three barrier-separated phases each) become one.
///
/// `--tune` (Kiln's ScheduleTuner) times each layer's `candidates` in the network and keeps
/// the faster ones, which this pass then takes from `tuned` instead of its own pick.
public struct ScheduleKernels: Pass {
    public static let name = "schedule-kernels"
    public var target: Target
    /// Allow Winograd convolutions (on by default; off to compare or to rule them out).
    public var winograd: Bool
    /// Schedules measured faster by `--tune` (a tuning file's entries for this target), by
    /// `layerKey`. One that is not among a layer's candidates (a file from an older Kiln) is
    /// not used.
    public var tuned: [String: Schedule]
    public init(target: Target, winograd: Bool = true, tuned: [String: Schedule] = [:]) {
        self.target = target
        self.winograd = winograd
        self.tuned = tuned
    }

    public func run(_ graph: Graph) throws -> Graph {
        var g = graph
        for layer in tunableLayers(graph) {
            let pick = tuned[layer.key].flatMap { layer.candidates.contains($0) ? $0 : nil }
            g.nodes[layer.id].schedule = pick ?? layer.candidates[0]
        }
        return g
    }

    /// A convolution the pass schedules, with the schedules it may take: its own pick first,
    /// then the alternatives `--tune` measures (`candidates`).
    public struct TunableLayer: Sendable {
        public var id: ValueID
        /// What the schedule depends on: the op and its input and output shapes (`layerKey`).
        public var key: String
        public var candidates: [Schedule]
    }

    /// Every convolution of `graph` but the depthwise ones, with its candidates.
    public func tunableLayers(_ graph: Graph) -> [TunableLayer] {
        Self.scheduledConvolutions(graph).map { c in
            TunableLayer(id: c.id, key: c.key, candidates: candidates(c.attrs, input: c.input, output: c.output))
        }
    }

    /// The convolutions the pass schedules (all but the depthwise ones), seen as they run: a
    /// node in the sample loop on one sample.
    public static func scheduledConvolutions(_ graph: Graph) -> [(id: ValueID, key: String, attrs: Conv2dAttrs, input: Shape, output: Shape)] {
        let body = graph.sampleLoopBody()
        return graph.nodes.indices.compactMap { id in
            let view = graph.sampleLoop?.contains(id) == true ? body : graph
            let node = view.nodes[id]
            guard case .conv2d(let a, _) = node.op else { return nil }
            let x = view.nodes[node.inputs[0]].shape
            guard !a.isDepthwise(inChannels: x[1]) else { return nil }
            return (id, layerKey(node, input: x), a, x, node.shape)
        }
    }

    /// Names a convolution by everything its schedule depends on, so that a tuned schedule is
    /// reused by every layer of that shape (ResNet-50's 3 `layer1.*.conv2`, and SE-ResNet-50's).
    public static func layerKey(_ node: Node, input x: Shape) -> String {
        guard case .conv2d(let a, _) = node.op else { return Printer.describe(node.op) }
        return "\(Printer.describe(node.op)) k\(a.kernelH)x\(a.kernelW) s\(a.strideH)x\(a.strideW) p\(a.padH)x\(a.padW) "
            + "d\(a.dilationH)x\(a.dilationW) \(x) -> \(node.shape)"
    }

    /// The schedule the cost model picks, then the alternatives worth measuring: one parameter
    /// changed at a time (register tile, pixel tile, channel chunks, tile group), the other
    /// lane orientation, and the GEMM for a Winograd conv. All are valid for the kernel's
    /// template and keep the register tile within the vector registers.
    func candidates(_ a: Conv2dAttrs, input x: Shape, output y: Shape) -> [Schedule] {
        let pick = defaultSchedule(a, input: x, output: y)
        var out = [pick]
        func add(_ s: Schedule?) { if let s, !out.contains(s) { out.append(s) } }
        switch pick {
        case .direct(let rows, let vectors):
            let perGroup = a.outChannels / a.groups
            for r in [4, 3, 2, 1] where perGroup % r == 0 && r != rows { add(.direct(rows: r, vectors: vectors)) }
            for v in 2...4 where v != vectors && rows * v + v + 1 <= registers { add(.direct(rows: rows, vectors: v)) }
        case .winograd(let m, _, let cols, let group):
            let vl = target.vectorWidth
            add(winograd(m: m, block: cols, group: max(1, group / 2), input: x, output: y))
            add(winograd(m: m, block: cols, group: 2 * group, input: x, output: y))
            for om in [4, 2] { for block in vl >= 16 ? [2 * vl, vl] : [2 * vl] { add(winograd(m: om, block: block, group: nil, input: x, output: y)) } }
            add(gemmSchedule(a, input: x, output: y))
        case .gemm, .gemmChannelLanes:
            let gemm = gemmSchedule(a, input: x, output: y)
            guard case .gemm(let rows, let cols, let tile, let chunks) = gemm else { break }
            let vl = target.vectorWidth, perGroup = a.outChannels / a.groups
            add(gemm)
            for r in [gemmRows, gemmRows - 2, 4] where r <= perGroup && r * (cols / vl) + cols / vl + 1 <= registers {
                add(.gemm(rows: r, cols: cols, pixelTile: tile, channelChunks: chunks))
            }
            let pixels = y[2] * y[3], whole = (pixels + cols - 1) / cols * cols
            for t in [tile / 2 / cols * cols, 2 * tile, whole] where t >= cols && t <= min(whole, 512) {
                add(.gemm(rows: rows, cols: cols, pixelTile: t, channelChunks: chunks))
            }
            add(.gemm(rows: rows, cols: cols, pixelTile: tile, channelChunks: chunks == 1 ? min(target.threads, (perGroup + rows - 1) / rows) : 1))
            add(channelLaneSchedule(a, input: x, pixels: pixels, images: y[0], cols: cols, maxFill: 100))
        }
        return out
    }

    func defaultSchedule(_ a: Conv2dAttrs, input x: Shape, output y: Shape) -> Schedule {
        if let schedule = directSchedule(a, input: x, output: y) { return schedule }
        if winograd, let schedule = winogradSchedule(a, input: x, output: y) { return schedule }
        let cols = (min(gemmRows, a.outChannels / a.groups) <= 3 ? 4 : 2) * target.vectorWidth
        return channelLaneSchedule(a, input: x, pixels: y[2] * y[3], images: y[0], cols: cols) ?? gemmSchedule(a, input: x, output: y)
    }

    func gemmSchedule(_ a: Conv2dAttrs, input x: Shape, output y: Shape) -> Schedule {
        let k = x[1] / a.groups * a.kernelH * a.kernelW
        let pixels = y[2] * y[3]
        let perGroup = a.outChannels / a.groups
        let rows = min(gemmRows, perGroup), cols = (rows <= 3 ? 4 : 2) * target.vectorWidth
        // A depthwise prologue's panel may take half of L2 whatever its size: narrower tiles reread
        // more halo rows and cut more output rows into partial vectors.
        let budget = (a.prologue != nil ? target.l2Bytes / 2 : min(target.l2Bytes / 2, 256 * 1024)) / (4 * k)
        let roundedPixels = (pixels + cols - 1) / cols * cols
        let widest = max(64 / cols * cols, min(budget / cols * cols, 256))
        // One column block past the budget is worth it when it holds the whole map: a last
        // tile of a few pixels would cost a full pass over the weights.
        var tile = max(cols, roundedPixels <= widest + cols ? roundedPixels : widest)
        if a.prologue != nil {
            tile = prologueRowTile(a, k: k, output: y, cols: cols)
                ?? prologueTile(pixels: pixels, width: y[3], images: y[0], cols: cols, widest: tile)
        }
        // Chunks repack their panel, and a depthwise prologue with it: split pixels first, down to
        // 64-pixel tiles (28×28 maps at K ≥ 256: 13 tiles of 64 instead of 4 of 256 in 2 chunks).
        let enough = a.prologue != nil ? target.threads : 4 * target.threads
        func tasks(_ t: Int) -> Int { y[0] * a.groups * ((pixels + t - 1) / t) }
        if a.prologue == nil, tasks(tile) < enough,
           let narrower = stride(from: tile - cols, through: max(cols, 64), by: -cols).first(where: { tasks($0) >= enough }) {
            tile = narrower
        }
        let rowBlocks = (perGroup + rows - 1) / rows
        let chunks = tasks(tile) >= enough ? 1 : min(rowBlocks, target.threads)
        if chunks <= 1 && a.prologue == nil { tile = balancedTile(pixels: pixels, tasks: y[0] * a.groups, cols: cols, widest: tile) }
        // Split into chunks anyway: then the whole map in one tile if its panel fits 3/4 of L2, so the
        // weights stream once, not once a tile (a 14² 1×1 at K 640: 224 pixels, not 96).
        if chunks > 1, a.prologue == nil, 4 * k * (roundedPixels + cols) <= target.l2Bytes * 3 / 4 { tile = max(tile, roundedPixels) }
        return .gemm(rows: rows, cols: cols, pixelTile: tile, channelChunks: max(chunks, 1))
    }

    /// The pixel tile, of `widest` down to half of it, on which the threads finish together
    /// (ties to the wider tile). A 56×56 map's 3136 pixels make 13 tiles of 256, the last of
    /// 64, so one of 2 threads does 6.25 tiles' work while the other does 6; 14 tiles of 224
    /// split 7 and 7. Measured alone (2 threads, cold data): ResNet-50's 56² 1×1s 0.96–0.98× the time.
    func balancedTile(pixels: Int, tasks images: Int, cols: Int, widest: Int) -> Int {
        func load(_ tile: Int) -> Int { busiest(pixels: pixels, images: images, cols: cols, tile: tile) }
        let candidates = stride(from: widest, through: max(cols, widest / 2), by: -cols)
        return candidates.min { load($0) < load($1) } ?? widest
    }

    /// The columns the busiest thread computes when the tasks of `tile` pixels (each image's
    /// last one shorter), in order, are cut into one contiguous run a thread, as
    /// templates/conv/conv2d_gemm.c does.
    func busiest(pixels: Int, images: Int, cols: Int, tile: Int) -> Int {
        let tasks = (0..<images).flatMap { _ in
            stride(from: 0, to: pixels, by: tile).map { (min(tile, pixels - $0) + cols - 1) / cols * cols }
        }
        let threads = target.threads
        return (0..<threads).map { t in tasks[tasks.count * t / threads..<tasks.count * (t + 1) / threads].reduce(0, +) }.max()!
    }

    /// Output channels along the lanes where the pixel-lane tile would leave over 15% of its
    /// lanes empty: a 7×7 map's 49 pixels take 4 vectors of 16 (77%), and with the channels
    /// along the lanes none is empty. The tile is 2 vectors of channels × the largest pixel count
    /// of 4–14 dividing the map (7 on a 7×7 map), the whole map one panel. Measured alone
    /// (templates/tests/bench_conv.c, 2 threads, Zen 4, warm): 1.16–1.2× the pixel-lane GEMM on
    /// ResNet-50's 7² 1×1s and its stride-2 3×3; with weights from DRAM 1.0–1.17×. At 8 lanes a
    /// 7×7 map fills 88% of them, so AVX2 keeps the pixel-lane tile. On 14×14 maps (94% filled)
    /// `--tune` picked 2 vectors × 14 pixels for all of VAN-b2's 1×1s; in whole networks (Zen 4,
    /// in-process A/B) that took 0.979× ResNet-50's time and VAN-b2's, 0.984× EPSANet-50's,
    /// where ResNet-50's 14² convs at K 256 ran 3% slower (`kiln profile`), hence K ≥ 512. A
    /// tile of 4 vectors × 7 pixels on 7×7 maps measured 1.115× ResNet-50's time. A 1×1 with
    /// a depthwise prologue turns its tile on such maps too, its chunks sharing one prologue panel
    /// the threads compute together (conv2d_gemm.c's KCG_PROSHARED; VAN-b0's block4 fc2, 1024 →
    /// 256 at 7²: in-process A/B VAN-b0 0.990, batch 8 0.996, when each chunk computed the whole
    /// prologue); its wider maps keep the pixel-lane tile, split by pixels.
    func channelLaneSchedule(_ a: Conv2dAttrs, input x: Shape, pixels: Int, images: Int, cols: Int, maxFill: Int = 85) -> Schedule? {
        let vl = target.vectorWidth
        var rows = 2 * vl
        guard a.groups == 1, a.outChannels % rows == 0 else { return nil }
        if pixels > 256 { return a.prologue == nil ? wideMapChannelLanes(a, input: x, pixels: pixels, images: images) : nil }
        let rest = pixels % cols
        let vectors = pixels / cols * (cols / vl) + (rest == 0 ? 0 : rest <= vl ? 1 : cols / vl)
        let divisors = (4...14).reversed().filter { pixels % $0 == 0 }
        let k = x[1] * a.kernelH * a.kernelW /* groups == 1 */
        let chunks = images >= 4 * target.threads ? 1 : min(a.outChannels / rows, target.threads)
        // With 32 registers and K ≥ 256, a tile of 2 vectors × 12–14 pixels (24–28 accumulators)
        // also beats the pixel-lane tile's 16 on a map it fills well (a 14×14 map's 196 pixels),
        // unless the chunks would get unequal shares of the row blocks (VAN-b0's 160 channels).
        // Below K 256 its epilogue (a transpose per 16 × 16 block) weighs too much. Where they
        // would, rows of one vector may split evenly instead (VAN-b0's 14² fc2, 640 → 160: 5 blocks
        // of 32 rows, 10 of 16): 1 vector × 14 pixels ran it in 0.179 ms alone against 0.203 as
        // pixel-lane tiles (2 threads, scratch driver, median of 5 interleaved).
        // Rows of one vector (14 accumulators) pay from K 160: `--tune` moved VAN-b0's 14² 160 → 160
        // convs to them (attention conv1 0.324 -> 0.280 ms, proj_1 0.371 -> 0.343, proj_2 0.361 -> 0.350, 5 each).
        if (a.outChannels / rows) % chunks != 0, (a.outChannels / vl) % chunks == 0 { rows = vl }
        let balanced = (a.outChannels / rows) % chunks == 0
        let wide = vl >= 16 && k >= (rows == vl ? 160 : 256) && balanced && a.prologue == nil ? divisors.first { $0 >= 12 } : nil
        guard let tileCols = 100 * pixels < maxFill * vectors * vl ? divisors.first : wide else { return nil }
        // A strided conv at batch 1 splits the pixels between the threads instead, where they split
        // into whole tile columns: each reads the input rows of its own output rows, which the
        // layer before (tiled by pixels) wrote from the same core; as channel chunks each read all
        // of them. ResNet-50's layer3.0.conv2 took 1.10 instead of 1.15 ms, its downsample 0.93
        // instead of 0.95 (`kiln profile`, 3 interleaved rounds); Benchmarks/ab ResNet-50 0.999, and
        // in the VM's slow state 0.988 and 0.993 (layer3.0.conv2 1.42 instead of 1.80 ms).
        if a.strideH > 1, images == 1, pixels % (target.threads * tileCols) == 0 {
            return .gemmChannelLanes(rows: rows, cols: tileCols, pixelTile: pixels / target.threads, channelChunks: 1)
        }
        return .gemmChannelLanes(rows: rows, cols: tileCols, pixelTile: pixels, channelChunks: chunks)
    }

    /// A map wider than one tile (28×28 and up) turns its tile only for a 1×1 stride-1 conv at
    /// K ≥ 512, read in place: 2 vectors of channels × 12–14 pixels (24–28 accumulators against
    /// the pixel-lane tile's 16), in pixel tiles of up to 256 that divide the map. ResNet-50's
    /// 28² conv1s (K 512) ran 0.95–0.985× as long (`kiln profile`, min of 2 interleaved rounds);
    /// at K 256 (56² conv1s) and on strided convs, whose panels are packed, it ran 0.99–1.10×.
    func wideMapChannelLanes(_ a: Conv2dAttrs, input x: Shape, pixels: Int, images: Int) -> Schedule? {
        let rows = 2 * target.vectorWidth
        guard target.vectorWidth >= 16, a.isPlainPointwise, x[1] >= 512,
              let cols = (12...14).reversed().first(where: { pixels % $0 == 0 }) else { return nil }
        let tile = stride(from: 256 / cols * cols, through: cols, by: -cols).first { pixels % $0 == 0 } ?? 256 / cols * cols
        let tasks = images * ((pixels + tile - 1) / tile)
        let chunks = tasks >= 4 * target.threads ? 1 : min(a.outChannels / rows, target.threads)
        return .gemmChannelLanes(rows: rows, cols: cols, pixelTile: tile, channelChunks: chunks)
    }

    /// Register-tile rows of the GEMM: 6 × 2 vectors fill AVX2's 16 registers; with AVX-512's 32,
    /// 8 rows (16 accumulators) read each packed-input vector for 8 FMAs instead of 6 and divide
    /// the networks' channel counts (64, 320, 512, ...). Measured on Zen 4 (`kiln profile`, min
    /// of 2 interleaved rounds): VAN-b2's kernels 0.972× and ResNet-50's 0.965× the time with 6.
    var gemmRows: Int { target.vectorWidth >= 16 ? 8 : 6 }

    /// Vector registers: 32 with AVX-512's 16 lanes, else 16.
    var registers: Int { target.vectorWidth >= 16 ? 32 : 16 }

    /// Winograd groups a thread must have to run whole ones in its own scratch, without barriers
    /// (conv2d_winograd.c's KWG_PRIVATE_MIN).
    static let privateGroups = 3

    /// A depthwise prologue's pixel tile as whole map rows: templates/conv/conv2d_gemm.c then gives
    /// each thread a run of rows (KCG_ROWSPLIT) cut into tiles of that many, so no thread
    /// computes another's prologue rows, and bands of the prologue divide the tile where they
    /// can (KCG_PRO_RB). The rows are those whose panel fits twice L2 that cost the busiest thread
    /// least (`rowTileCost`), the fewest of those within 1% (the panel stays nearer). A panel up to
    /// twice L2 costs little, each column block's K × NR slice being used at once (VAN-b1's 56²
    /// fc2 on 14-row tiles, 1.7 MiB, ran 1.07× only for its bands of 4 cut short; on 28 rows,
    /// 3.3 MiB, 1.18×).
    /// Measured alone (2 threads, warm) against the tiles of `prologueTile`: VAN-b0's 28² fc2
    /// (K 512) 0.91× on tiles of 14 rows (5 tiles of 192 had cut 20 band rows for one thread, 16
    /// for the other); VAN-b1's (K 1024) 0.90× on 14 (1.7 MiB of panel; on 5 rows, within L2,
    /// 0.95×); 56² maps keep tiles of 4 rows.
    func prologueRowTile(_ a: Conv2dAttrs, k: Int, output y: Shape, cols: Int) -> Int? {
        let width = y[3], most = min(y[2], 2 * target.l2Bytes / (4 * k) / width)
        guard most >= 1 else { return nil }
        let costs = (1...most).map { rowTileCost(rows: $0, k: k, outChannels: a.outChannels, output: y, cols: cols) }
        let best = costs.min()!
        return (costs.firstIndex { 100 * $0 <= 101 * best }! + 1) * width
    }

    /// The busiest thread's work under the row split, in cycles a channel of K: a vector of its
    /// GEMM columns costs about 1.1 cycles an output channel; a vector of prologue band row about
    /// 37 (taps, GELU and the copy into the padded rows: `PACKONLY` scratch timing on Zen 4).
    func rowTileCost(rows tile: Int, k: Int, outChannels m: Int, output y: Shape, cols: Int) -> Int {
        let vl = target.vectorWidth, width = y[3], height = y[2], total = y[0] * height
        let nv = min((width + vl - 1) / vl, vl >= 16 ? 4 : 2)
        let band = nv == 1 ? 8 : nv != 2 || vl != 16 ? 4 : [8, 7, 6, 5].first { tile % $0 == 0 } ?? 4 // as KCG_PRO_RB
        return (0..<target.threads).map { t in
            var cost = 0, r = total * t / target.threads
            let end = total * (t + 1) / target.threads
            while r < end {
                let rows = min(tile, end - r, height - r % height), px = rows * width, rest = px % cols
                let vectors = px / cols * (cols / vl) + (rest == 0 ? 0 : rest <= vl ? 1 : cols / vl)
                cost += vectors * m * 11 / 10 + (rows + band - 1) / band * band * nv * 37
                r += rows
            }
            return cost
        }.max()!
    }

    /// Where not even one row's panel fits twice L2 (`prologueRowTile`): of the tiles (2·cols up to
    /// `widest`) that give the busiest thread at most 5% more pixels than the best split, the
    /// widest that holds whole rows of the map, else the widest, since narrow tiles reread more
    /// halo rows (a channel chunk would redo the prologue, so the pixels are split). A 28×28 map takes
    /// 5 tiles of 192 at K 512 (a fourth tile of 256 would leave one thread 272 pixels and the
    /// other 512). A 56×56 map takes 14 tiles of 224, 4 rows each: measured alone (2 threads,
    /// warm), VAN-b0's stage-1 fc2 (K 256) ran 0.93× and VAN-b1's (K 512) 0.95× as long as on
    /// 13 tiles of 256, whose prologues start and end mid-row.
    func prologueTile(pixels: Int, width: Int, images: Int, cols: Int, widest: Int) -> Int {
        let candidates = Array(stride(from: min(2 * cols, widest), through: widest, by: cols))
        let loads = candidates.map { busiest(pixels: pixels, images: images, cols: cols, tile: $0) }
        let best = loads.min() ?? 0
        let near = candidates.indices.filter { 100 * loads[$0] <= 105 * best }
        return (near.last { candidates[$0] % width == 0 } ?? near.last).map { candidates[$0] } ?? widest
    }

    func directSchedule(_ a: Conv2dAttrs, input x: Shape, output y: Shape) -> Schedule? {
        let perGroup = a.outChannels / a.groups
        guard a.groups > 1, !a.isDepthwise(inChannels: x[1]), perGroup <= 32 else { return nil }
        let rows = [4, 3, 2, 1].first { perGroup % $0 == 0 }!
        // The vectors a tile that compute the fewest positions past each strip's end (the kernel
        // runs a strip's rows at the padded width in steps of vectors × VL), ties to the most
        // vectors, with 12 accumulators at least (2 vectors of 4 rows measured slower at 8 lanes)
        // and within the registers: with 32, EPSANet's 14² 5×5 and 9×9 branches take 4 (252 and
        // 308 positions: 256 and 320, where 3 vectors compute 288 and 336).
        let options = (2...4).filter { rows * $0 >= 12 && rows * $0 + $0 + 1 <= registers }.map { (work: directWork(a, input: x, output: y, vectors: $0), vectors: $0) }
        return .direct(rows: rows, vectors: options.min { ($0.work, -$0.vectors) < ($1.work, -$1.vectors) }?.vectors ?? (rows >= 3 ? 3 : 4))
    }

    /// Positions templates/conv/conv2d_direct.c computes for one output plane: strips of about
    /// 1024 positions (whole rows at the padded width WQ), each rounded up to vectors × VL.
    func directWork(_ a: Conv2dAttrs, input x: Shape, output y: Shape, vectors: Int) -> Int {
        let wq = (x[3] + 2 * a.padW + a.strideW - 1) / a.strideW, chunk = vectors * target.vectorWidth
        let strip = min(y[2], (1024 + wq - 1) / wq)
        return stride(from: 0, to: y[2], by: strip).map { (min(strip, y[2] - $0) * wq + chunk - 1) / chunk * chunk }.reduce(0, +)
    }

    func winogradSchedule(_ a: Conv2dAttrs, input x: Shape, output y: Shape) -> Schedule? {
        guard a.kernelH == 3, a.kernelW == 3, a.strideH == 1, a.strideW == 1, a.dilationH == 1, a.dilationW == 1,
              a.groups == 1, x[1] >= 16, a.outChannels >= 16 else { return nil }
        let vl = target.vectorWidth
        func tiles(_ m: Int) -> Int { y[0] * ((y[2] + m - 1) / m) * ((y[3] + m - 1) / m) }
        // 4×4 output tiles where they fill a block of 2 vectors, else 2×2 (a 7×7 map's 16 fill one
        // at 8 lanes). With AVX-512's 32 registers a block may also be one vector (12 rows, 12
        // accumulators, as 6 × 2): 16 lanes hold a 14×14 map's sixteen 4×4 tiles, where 2×2
        // tiles would pad 49 to 64, and a 7×7 map's sixteen 2×2 ones, where it got no Winograd.
        var options = [4, 2].map { (m: $0, block: 2 * vl) }
        if vl >= 16 { options += [4, 2].map { (m: $0, block: vl) } }
        // Transformed-domain work: padded tiles × (m+2)² multiplies per channel pair.
        func work(_ o: (m: Int, block: Int)) -> Int { (tiles(o.m) + o.block - 1) / o.block * o.block * (o.m + 2) * (o.m + 2) }
        let filled = options.filter { tiles($0.m) >= $0.block }
        // A one-vector block only where it saves a tenth of the work (its tile reads more weights).
        guard let wide = filled.first(where: { $0.block == 2 * vl }) ?? filled.first else { return nil }
        let best = filled.min { work($0) < work($1) }!
        var pick = 10 * work(best) < 9 * work(wide) ? best : wide
        // Or one-vector blocks of the same tiles where their groups are enough for each thread to
        // take 3 whole ones (no barriers) and the wide blocks' are not: ResNet-50's 14² layers at
        // batch 8 (8 blocks of 16 against 4 of 32).
        func isPrivate(_ o: (m: Int, block: Int)) -> Bool {
            guard case .winograd(_, _, _, let group)? = winograd(m: o.m, block: o.block, group: nil, input: x, output: y) else { return false }
            let blocks = (tiles(o.m) + o.block - 1) / o.block
            return (blocks + group - 1) / group >= Self.privateGroups * target.threads
        }
        if let narrow = filled.first(where: { $0.m == pick.m && $0.block == vl }), !isPrivate(pick), isPrivate(narrow) { pick = narrow }
        return winograd(m: pick.m, block: pick.block, group: nil, input: x, output: y)
    }

    /// Winograd F(m×m, 3×3) on blocks of `block` tiles, `group` blocks a tile group (default:
    /// as many as keep the group's transformed data within about 1 MiB); nil where the map
    /// has fewer tiles than a block.
    func winograd(m: Int, block: Int, group: Int?, input x: Shape, output y: Shape) -> Schedule? {
        let tiles = y[0] * ((y[2] + m - 1) / m) * ((y[3] + m - 1) / m), blocks = (tiles + block - 1) / block
        guard tiles >= block else { return nil }
        let blockFloats = (m + 2) * (m + 2) * block * (x[1] + y[1])
        let vl = target.vectorWidth
        var tileGroup = max(1, min(blocks, group ?? (1 << 18) / blockFloats))
        // Fewer than 3 groups a thread are shared by the threads, each in three phases between
        // barriers (conv2d_winograd.c's KWG_PRIVATE_MIN): then one group, if its transformed data
        // stays within 16 MiB. ResNet-50's 28² layers (2 blocks): 0.88× the time as one group.
        let groups = (blocks + tileGroup - 1) / tileGroup
        if group == nil, groups < Self.privateGroups * target.threads, blocks * blockFloats <= 1 << 22 { tileGroup = blocks }
        // Rows of the register tile: 6 × 2 vectors fill AVX2's 16 registers; with AVX-512's 32,
        // 12 × 1 vector or 8 × 2, whose multiple of 8 rows also lets the last block's few tiles
        // past its whole vectors take the narrow tile (conv2d_winograd.c's KWG_NARROW: a 28² map's
        // 49th tile). bench_winograd, 1 thread: ResNet-50's 28² layer's GEMMs 666 µs at 6 rows,
        // 648 at 8, 518–554 with the narrow tile; its 56² layer's 543, 528, 509.
        let rows = vl >= 16 ? (block == vl ? 12 : 8) : 6
        return .winograd(outputTile: m, rows: rows, cols: block, tileGroup: tileGroup)
    }
}
