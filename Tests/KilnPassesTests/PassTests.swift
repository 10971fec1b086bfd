@testable import KilnPasses
import Kiln
import Testing

private let target = Target(vectorWidth: 8, l2Bytes: 1 << 20, threads: 2, march: "native")

private func trace(_ layer: some Layer, _ shape: Shape = [1, 4, 8, 8]) throws -> Graph {
    try Tracer.trace(layer, name: "t", input: shape)
}

/// Each pass on a tiny hand-built network: the IR it produces, line by line.
struct PassTests {
    @Test func foldBatchNormRemovesTheBatchNorm() throws {
        let g = try trace(Chain { Conv2d(4, 4, kernelSize: 3, padding: 1, bias: false).key("c"); BatchNorm2d(4).key("bn") })
        let folded = try FoldBatchNorm().run(g)
        try Verifier.verify(folded, after: FoldBatchNorm.name)
        #expect(Printer.render(folded) == """
            graph t (input [1, 4, 8, 8]) -> %1 [1, 4, 8, 8]
              %0 = input () {input} : [1, 4, 8, 8]
              %1 = conv2d[4, 3x3/1 p1 d1 g1 +bias] (%0) {c} : [1, 4, 8, 8]
            """)
        guard case .scaleRows(0, _) = folded.constants[folded.nodes[1].constants[0]].source else {
            Issue.record("weight is not the folded one"); return
        }
        // The checkpoint still supplies all five tensors.
        #expect(folded.parameterKeys.count == 5)
    }

    @Test func foldBatchNormLeavesSharedConvAlone() throws {
        let g = try trace(Residual { Conv2d(4, 4, kernelSize: 1).key("c"); BatchNorm2d(4).key("bn") })
        // The conv output is read by the BN only, so it folds even inside a residual.
        #expect(try FoldBatchNorm().run(g).nodes.count == 3)
        let shared = try trace(Chain { Conv2d(4, 4, kernelSize: 1).key("c"); Residual { BatchNorm2d(4).key("bn") } })
        #expect(try FoldBatchNorm().run(shared).nodes.count == 4)
    }

    @Test func residualAndReLUFuseIntoTheConv() throws {
        let block = Chain {
            Residual { Conv2d(4, 4, kernelSize: 1, bias: false).key("c"); BatchNorm2d(4).key("bn") }
            ReLU()
        }
        var g = try trace(block)
        for pass: any Pass in [FoldBatchNorm(), LowerBatchNorm(), FuseConvEpilogue(), FuseActivation()] {
            g = try pass.run(g)
            try Verifier.verify(g, after: type(of: pass).name)
        }
        #expect(Printer.render(g) == """
            graph t (input [1, 4, 8, 8]) -> %1 [1, 4, 8, 8]
              %0 = input () {input} : [1, 4, 8, 8]
              %1 = conv2d[4, 1x1/1 p0 d1 g1 +bias +residual relu] (%0, %0) {c} : [1, 4, 8, 8]
            """)
    }

    @Test func gateThenResidualBecomesOneMulAdd() throws {
        // x + x * sigmoid(conv(x)), then ReLU: the gate, the residual and the ReLU in one pass.
        let block = Sequential {
            Residual { Gate { Conv2d(4, 4, kernelSize: 1).key("c"); Sigmoid() } }
            ReLU()
        }
        let g = try Pipeline(passes: [FuseActivation(), FuseMulAdd()]).run(try trace(block))
        let ops = g.nodes.map(\.op)
        #expect(ops.contains(.mulAdd(.relu)))
        #expect(!ops.contains(.binary(.mul, .none)) && !ops.contains(.binary(.add, .relu)))
        // A product read twice (by the ReLU and by the add) stays.
        let shared = Sequential {
            Gate { Conv2d(4, 4, kernelSize: 1).key("c") }
            Residual { ReLU() }
        }
        let traced = try trace(shared)
        #expect(traced.nodes.map(\.op).contains(.binary(.add, .none)))
        #expect(try FuseMulAdd().run(traced).nodes.map(\.op) == traced.nodes.map(\.op))
    }

    @Test func layerScaleFoldsIntoTheConv() throws {
        // x + s * conv(x): the scale goes into the weight and bias, the sum into the epilogue.
        let g = try Pipeline(passes: [FuseMulAdd(), FoldLayerScale()]).run(try trace(ScaledResidual(key: "c")))
        #expect(Printer.render(g) == """
            graph t (input [1, 4, 8, 8]) -> %1 [1, 4, 8, 8]
              %0 = input () {input} : [1, 4, 8, 8]
              %1 = conv2d[4, 1x1/1 p0 d1 g1 +bias +residual] (%0, %0) {c} : [1, 4, 8, 8]
            """)
        let weight = g.nodes[1].constants[0], bias = g.nodes[1].constants[1]
        guard case .scaleRows(_, let s) = g.constants[weight].source, case .scaleRows(_, s) = g.constants[bias].source,
              g.constants[s].source == .parameter(key: "s") else {
            Issue.record("weight and bias are not scaled by s"); return
        }
        // With an activation between, the scale cannot move through it.
        let relu = try Pipeline(passes: [FuseActivation(), FuseMulAdd(), FoldLayerScale()]).run(try trace(ScaledResidual(key: "c", relu: true)))
        #expect(relu.nodes.map(\.op).contains(.mulAdd(.none)))
    }

    @Test func layerScaleOverANormedResidualScalesTheResidual() throws {
        // VAN's attention half, x + s * (c2(c1(bn(x))) + bn(x)): the residual becomes x scaled per
        // channel, and bn, then read by c1 alone, folds into c1's weights.
        let passes: [any Pass] = [FoldBatchNorm(), LowerBatchNorm(), FuseConvEpilogue(), FuseActivation(), FuseMulAdd(), FoldLayerScale()]
        let g = try Pipeline(passes: passes).run(try trace(NormedScaledResidual()))
        #expect(Printer.render(g) == """
            graph t (input [1, 4, 8, 8]) -> %2 [1, 4, 8, 8]
              %0 = input () {input} : [1, 4, 8, 8]
              %1 = conv2d[4, 1x1/1 p0 d1 g1 +bias relu] (%0) {c1} : [1, 4, 8, 8]
              %2 = conv2d[4, 1x1/1 p0 d1 g1 +bias +scaled residual] (%1, %0) {c2} : [1, 4, 8, 8]
            """)
        guard case .scaleColumns = g.constants[g.nodes[1].constants[0]].source,
              case .scaledResidualBias = g.constants[g.nodes[2].constants[1]].source,
              g.constants[g.nodes[2].constants[1]].shape == [2, 4] else {
            Issue.record("norm not folded into c1, or c2's bias not [bias, residual scale]"); return
        }
        // A 3x3 c2 may not be a GEMM, the only kernel with the scaled epilogue: left alone.
        let wide = try Pipeline(passes: passes).run(try trace(NormedScaledResidual(kernel: 3)))
        #expect(wide.nodes.map(\.op).contains(.mulAdd(.none)))
    }

    @Test func lowerBatchNormMakesScaleShift() throws {
        let g = try LowerBatchNorm().run(try trace(BatchNorm2d(4).key("bn")))
        #expect(g.nodes[1].op == .scaleShift(.none))
    }

    @Test func schedulePicksTilesFromTheShape() throws {
        let g = try ScheduleKernels(target: target, winograd: false).run(try trace(Conv2d(512, 512, kernelSize: 3, padding: 1).key("c"), [1, 512, 7, 7]))
        guard case .gemm(let rows, let cols, let tile, let chunks)? = g.nodes[1].schedule else {
            Issue.record("no schedule"); return
        }
        #expect(rows == 6 && cols == 16)
        // A 4608-deep panel cannot fit 256 KiB even at the 64-pixel minimum tile.
        #expect(tile == 64)
        let wide = try ScheduleKernels(target: target).run(try trace(Conv2d(64, 64, kernelSize: 1).key("c"), [1, 64, 56, 56]))
        guard case .gemm(_, _, let wideTile, let wideChunks)? = wide.nodes[1].schedule else { Issue.record("no schedule"); return }
        // 3136 pixels: 256 would leave a last tile of 64; 14 tiles of 224 split evenly over 2 threads.
        #expect(wideTile == 224 && wideChunks == 1)
        // 49 pixels make few tiles: the channels are split so both threads have work.
        #expect(chunks > 1)
        // VAN's 320-channel 1x1 at 14x14: the 256 KiB budget allows 192 pixels, but one more
        // column block (208) holds all 196, instead of leaving a 4-pixel tile.
        let whole = try ScheduleKernels(target: target).run(try trace(Conv2d(320, 320, kernelSize: 1).key("c"), [1, 320, 14, 14]))
        guard case .gemm(_, _, let wholeTile, _)? = whole.nodes[1].schedule else { Issue.record("no schedule"); return }
        #expect(wholeTile == 208)
        let deep = try ScheduleKernels(target: target).run(try trace(Conv2d(1024, 256, kernelSize: 1).key("c"), [1, 1024, 14, 14]))
        guard case .gemm(_, _, let deepTile, _)? = deep.nodes[1].schedule else { Issue.record("no schedule"); return }
        #expect(deepTile == 64)
    }

    @Test func winogradIsPickedWhereItPays() throws {
        func schedule(_ conv: Conv2d, _ input: Shape, winograd: Bool = true) throws -> Schedule? {
            try ScheduleKernels(target: target, winograd: winograd).run(try trace(conv.key("c"), input)).nodes[1].schedule
        }
        // 56x56: 196 tiles of 4x4 in 13 blocks of 16. Groups of 3 blocks (36*48*128 floats) would be 5, too
        // few for each of 2 threads to take 3 whole ones, so shared, 3 phases each: one group of all 13.
        #expect(try schedule(Conv2d(64, 64, kernelSize: 3, padding: 1), [1, 64, 56, 56]) == .winograd(outputTile: 4, rows: 6, cols: 16, tileGroup: 13))
        #expect(try schedule(Conv2d(256, 256, kernelSize: 3, padding: 1), [1, 256, 14, 14]) == .winograd(outputTile: 4, rows: 6, cols: 16, tileGroup: 1))
        // 7x7 at batch 1: 4x4 tiles would fill a quarter of a block, 2x2 tiles fill it; at batch 8
        // 4x4 tiles fill two blocks, in one shared group.
        #expect(try schedule(Conv2d(512, 512, kernelSize: 3, padding: 1), [1, 512, 7, 7]) == .winograd(outputTile: 2, rows: 6, cols: 16, tileGroup: 1))
        #expect(try schedule(Conv2d(512, 512, kernelSize: 3, padding: 1), [8, 512, 7, 7]) == .winograd(outputTile: 4, rows: 6, cols: 16, tileGroup: 2))
        // 3x3 maps: 4 tiles of 2x2 fill no block (and 9 pixels 56% of 2 vectors: the GEMM puts the channels along the lanes).
        guard case .gemmChannelLanes? = try schedule(Conv2d(64, 64, kernelSize: 3, padding: 1), [1, 64, 3, 3]) else { Issue.record("3x3 map"); return }
        // Strided, dilated, grouped, 5x5, thin, or turned off: not Winograd.
        for (conv, input): (Conv2d, [Int]) in [(Conv2d(64, 64, kernelSize: 3, stride: 2, padding: 1), [1, 64, 56, 56]),
                              (Conv2d(64, 64, kernelSize: 3, padding: 2, dilation: 2), [1, 64, 56, 56]),
                              (Conv2d(64, 64, kernelSize: 3, padding: 1, groups: 4), [1, 64, 56, 56]),
                              (Conv2d(64, 64, kernelSize: 5, padding: 2), [1, 64, 56, 56]),
                              (Conv2d(8, 64, kernelSize: 3, padding: 1), [1, 8, 56, 56])] {
            if case .winograd? = try schedule(conv, Shape(input)) { Issue.record("\(conv) \(input)") }
        }
        guard case .gemm? = try schedule(Conv2d(64, 64, kernelSize: 3, padding: 1), [1, 64, 56, 56], winograd: false) else {
            Issue.record("--no-winograd"); return
        }
    }

    @Test func avx512TargetsTakeWiderRegisterTiles() throws {
        let wide = Target(vectorWidth: 16, l2Bytes: 1 << 20, threads: 2, march: "native")
        func schedule(_ conv: Conv2d, _ input: Shape) throws -> Schedule? {
            try ScheduleKernels(target: wide).run(try trace(conv.key("c"), input)).nodes[1].schedule
        }
        // 32 registers: the GEMM's tile is 8 rows x 2 vectors of 16.
        guard case .gemm(let rows, let cols, _, _)? = try schedule(Conv2d(64, 256, kernelSize: 1), [1, 64, 56, 56]) else {
            Issue.record("no gemm"); return
        }
        #expect(rows == 8 && cols == 32)
        // 56x56 and 28x28: 4x4 tiles in blocks of 2 vectors (one vector would save no work).
        #expect(try schedule(Conv2d(64, 64, kernelSize: 3, padding: 1), [1, 64, 56, 56]) == .winograd(outputTile: 4, rows: 8, cols: 32, tileGroup: 1))
        // (28x28: 49 tiles, 2 blocks, one group rather than two shared ones.)
        #expect(try schedule(Conv2d(128, 128, kernelSize: 3, padding: 1), [1, 128, 28, 28]) == .winograd(outputTile: 4, rows: 8, cols: 32, tileGroup: 2))
        // 14x14: sixteen 4x4 tiles fill one vector exactly (2x2 tiles would pad 49 to 64).
        #expect(try schedule(Conv2d(256, 256, kernelSize: 3, padding: 1), [1, 256, 14, 14]) == .winograd(outputTile: 4, rows: 12, cols: 16, tileGroup: 1))
        // At batch 8, 128 tiles fill 4 blocks of 2 vectors, too few groups for each thread to take 3 whole
        // ones; 8 blocks of one vector are enough.
        #expect(try schedule(Conv2d(256, 256, kernelSize: 3, padding: 1), [8, 256, 14, 14]) == .winograd(outputTile: 4, rows: 12, cols: 16, tileGroup: 1))
        // 7x7 at batch 1: sixteen 2x2 tiles fill one vector, where two vectors found no block.
        #expect(try schedule(Conv2d(512, 512, kernelSize: 3, padding: 1), [1, 512, 7, 7]) == .winograd(outputTile: 2, rows: 12, cols: 16, tileGroup: 1))
        // 3x3 maps: 4 tiles fill not even one vector; the GEMM takes the channels along the lanes.
        #expect(try schedule(Conv2d(64, 64, kernelSize: 3, padding: 1), [1, 64, 3, 3]) == .gemmChannelLanes(rows: 32, cols: 9, pixelTile: 9, channelChunks: 2))
    }

    @Test func pixelTilesSplitEvenlyOverTheThreads() throws {
        let wide = Target(vectorWidth: 16, l2Bytes: 1 << 20, threads: 2, march: "native")
        func tile(_ conv: Conv2d, _ input: Shape) throws -> Int? {
            guard case .gemm(_, _, let tile, _)? = try ScheduleKernels(target: wide).run(try trace(conv.key("c"), input)).nodes[1].schedule
            else { return nil }
            return tile
        }
        // 3136 pixels: 13 tiles of 256 (the last of 64) leave one thread a quarter tile more; 14 of 224 split evenly.
        #expect(try tile(Conv2d(64, 256, kernelSize: 1), [1, 64, 56, 56]) == 224)
        // 8 images of 3136: 8 x 13 tiles of 256 already split evenly (52 each), so the tile stays at its widest.
        #expect(try tile(Conv2d(64, 256, kernelSize: 1), [8, 64, 56, 56]) == 256)
        // 784 pixels at K 512 (strided: a plain 1x1 would turn its tile): 4 tiles of 256 are too few for 2 threads;
        // rather than splitting the channels (each chunk packing the panel again), narrower tiles: 9 of 96.
        #expect(try tile(Conv2d(512, 128, kernelSize: 1, stride: 2), [1, 512, 56, 56]) == 96)
        // 784 pixels at K 1152: 13 tiles of 64 or 25 of 32 leave the same excess; ties keep the wider tile.
        #expect(try tile(Conv2d(128, 128, kernelSize: 3, stride: 2, padding: 1), [1, 128, 56, 56]) == 64)
        // 196 pixels at K 640 (VAN-b0's 14x14 fc2 had been one, before its tile turned; 168 channels do not turn):
        // too few for tiles alone, so 2 chunks; then the whole map in one tile (a 655 KB panel, within 3/4 of
        // L2), the weights streamed once, not for 3 tiles of 96.
        #expect(try ScheduleKernels(target: wide).run(try trace(Conv2d(640, 168, kernelSize: 1).key("c"), [1, 640, 14, 14])).nodes[1].schedule
                == .gemm(rows: 8, cols: 32, pixelTile: 224, channelChunks: 2))
    }

    @Test func depthwisePrologueTilesAreWholeRows() throws {
        let wide = Target(vectorWidth: 16, l2Bytes: 1 << 20, threads: 2, march: "native")
        func tile(hidden: Int, _ input: Shape) throws -> Int? {
            let mlp = Sequential {
                Conv2d(hidden, hidden, kernelSize: 3, padding: 1, groups: hidden).key("dw")
                GELU()
                Conv2d(hidden, hidden / 8, kernelSize: 1).key("fc2")
            }
            let fused = try Pipeline(passes: [FuseActivation(), FuseDepthwisePrologue(), ScheduleKernels(target: wide)]).run(try trace(mlp, input))
            guard case .gemm(_, _, let tile, 1)? = fused.nodes.last?.schedule else { return nil }
            return tile
        }
        // VAN-b2's stage-1 fc2 (K 512) and VAN-b0's (K 256): tiles of 4 rows (224 pixels), each one
        // band of 4 rows of 4 vectors; wider tiles of whole bands cost no less, so the fewest rows.
        #expect(try tile(hidden: 512, [1, 512, 56, 56]) == 224)
        #expect(try tile(hidden: 512, [8, 512, 56, 56]) == 224)
        #expect(try tile(hidden: 256, [1, 256, 56, 56]) == 224)
        // 28² maps take tiles of whole rows within each thread's 14 (the template's row split), all
        // 14 at once in 2 bands of 7, at K 1024 too (VAN-b1/b2: its 1.7 MiB of panel fits twice L2;
        // tiles of 128 pixels had started mid-row and computed 24 band rows for one thread).
        #expect(try tile(hidden: 1024, [1, 1024, 28, 28]) == 14 * 28)
        #expect(try tile(hidden: 512, [1, 512, 28, 28]) == 14 * 28)
    }

    @Test func prologueRowTilesCountBandRowsAndColumns() {
        let pass = ScheduleKernels(target: Target(vectorWidth: 16, l2Bytes: 1 << 20, threads: 2, march: "native"))
        func cost(_ rows: Int, _ y: Shape) -> Int { pass.rowTileCost(rows: rows, k: 512, outChannels: 64, output: y, cols: 32) }
        // 28²: 7-row tiles run one band of 7 each, 4-row tiles leave a 2-row one a band of 4.
        #expect(cost(7, [1, 64, 28, 28]) < cost(4, [1, 64, 28, 28]))
        // Whole rows of 196 pixels end in a 4-pixel block (a vector): 2 tiles of 7 rows cost a
        // vector a tile more than one of 14.
        #expect(cost(14, [1, 64, 28, 28]) < cost(7, [1, 64, 28, 28]))
    }

    @Test func depthwisePrologueOnASmallMapTurnsTheTile() throws {
        func schedule(hidden: Int, out: Int, _ input: Shape) throws -> Schedule? {
            let mlp = Sequential {
                Conv2d(hidden, hidden, kernelSize: 3, padding: 1, groups: hidden).key("dw")
                GELU()
                Conv2d(hidden, out, kernelSize: 1).key("fc2")
            }
            let wide = Target(vectorWidth: 16, l2Bytes: 1 << 20, threads: 2, march: "native")
            let g = try Pipeline(passes: [FuseActivation(), FuseDepthwisePrologue(), ScheduleKernels(target: wide)]).run(try trace(mlp, input))
            guard let fc2 = g.nodes.last, case .conv2d(let a, _) = fc2.op, a.prologue != nil else { Issue.record("no prologue"); return nil }
            return fc2.schedule
        }
        // VAN-b0's block4 fc2 (1024 -> 256 at 7x7): 2 chunks of channels, each computing the whole prologue.
        #expect(try schedule(hidden: 1024, out: 256, [1, 1024, 7, 7]) == .gemmChannelLanes(rows: 32, cols: 7, pixelTile: 49, channelChunks: 2))
        // A 14x14 map fills 88% of its pixel vectors: no 14-pixel turned tile with a prologue, though K is 256.
        guard case .gemm? = try schedule(hidden: 256, out: 64, [1, 256, 14, 14]) else { Issue.record("14x14"); return }
    }

    @Test func smallMapsPutTheChannelsAlongTheLanes() throws {
        func schedule(_ conv: Conv2d, _ input: Shape, width: Int = 16) throws -> Schedule? {
            let t = Target(vectorWidth: width, l2Bytes: 1 << 20, threads: 2, march: "native")
            return try ScheduleKernels(target: t).run(try trace(conv.key("c"), input)).nodes[1].schedule
        }
        // 7x7 at 16 lanes: 49 pixels would fill 77% of 4 vectors; 2 vectors of channels x 7 pixels.
        #expect(try schedule(Conv2d(512, 2048, kernelSize: 1), [1, 512, 7, 7]) == .gemmChannelLanes(rows: 32, cols: 7, pixelTile: 49, channelChunks: 2))
        #expect(try schedule(Conv2d(256, 512, kernelSize: 3, stride: 2, padding: 1), [1, 256, 14, 14]) == .gemmChannelLanes(rows: 32, cols: 7, pixelTile: 49, channelChunks: 2))
        // Batch 8 has tasks enough without splitting the channels.
        #expect(try schedule(Conv2d(512, 2048, kernelSize: 1), [8, 512, 7, 7]) == .gemmChannelLanes(rows: 32, cols: 7, pixelTile: 49, channelChunks: 1))
        // 14x14 with K >= 256 at 16 lanes (32 registers): 2 vectors of channels x 14 pixels, 28 accumulators.
        #expect(try schedule(Conv2d(1280, 320, kernelSize: 1), [1, 1280, 14, 14]) == .gemmChannelLanes(rows: 32, cols: 14, pixelTile: 196, channelChunks: 2))
        #expect(try schedule(Conv2d(320, 1280, kernelSize: 1), [1, 320, 14, 14]) == .gemmChannelLanes(rows: 32, cols: 14, pixelTile: 196, channelChunks: 2))
        // Strided at batch 1: half the pixels a thread, not half the channels (the input rows it reads are its core's).
        #expect(try schedule(Conv2d(512, 1024, kernelSize: 1, stride: 2), [1, 512, 28, 28]) == .gemmChannelLanes(rows: 32, cols: 14, pixelTile: 98, channelChunks: 1))
        #expect(try schedule(Conv2d(256, 256, kernelSize: 3, stride: 2, padding: 1), [1, 256, 28, 28]) == .gemmChannelLanes(rows: 32, cols: 14, pixelTile: 98, channelChunks: 1))
        #expect(try schedule(Conv2d(512, 1024, kernelSize: 1, stride: 2), [8, 512, 28, 28]) == .gemmChannelLanes(rows: 32, cols: 14, pixelTile: 196, channelChunks: 1))
        // Wider maps: a 1x1 stride-1 conv at K >= 512 in pixel tiles of 196 (ResNet-50's 28² conv1s), 4 tiles in 2 chunks.
        #expect(try schedule(Conv2d(512, 128, kernelSize: 1), [1, 512, 28, 28]) == .gemmChannelLanes(rows: 32, cols: 14, pixelTile: 196, channelChunks: 2))
        #expect(try schedule(Conv2d(512, 128, kernelSize: 1), [8, 512, 28, 28]) == .gemmChannelLanes(rows: 32, cols: 14, pixelTile: 196, channelChunks: 1))
        for (conv, input, width) in [(Conv2d(256, 64, kernelSize: 1), [1, 256, 56, 56] as Shape, 16), (Conv2d(512, 1024, kernelSize: 1, stride: 2), [1, 512, 56, 56], 16),
                                     (Conv2d(512, 128, kernelSize: 3, stride: 2, padding: 1), [1, 512, 56, 56], 16), (Conv2d(512, 128, kernelSize: 1), [1, 512, 28, 28], 8)] {
            guard case .gemm? = try schedule(conv, input, width: width) else { Issue.record("wide map \(input) at \(width) lanes"); continue }
        }
        // 160 channels would split 3/2 row blocks of 2 vectors between 2 chunks: rows of one vector, 5 and 5.
        #expect(try schedule(Conv2d(640, 160, kernelSize: 1), [1, 640, 14, 14]) == .gemmChannelLanes(rows: 16, cols: 14, pixelTile: 196, channelChunks: 2))
        // Rows of one vector from K 160 (VAN-b0's attention 1x1s); rows of two still from K 256 (its fc1, below).
        #expect(try schedule(Conv2d(160, 160, kernelSize: 1), [1, 160, 14, 14]) == .gemmChannelLanes(rows: 16, cols: 14, pixelTile: 196, channelChunks: 2))
        // 14x14 below K 256 fills 94% (13 vectors) of the pixel-lane tile; 8 lanes fill 88% of 7x7 (and 16
        // registers hold no 28 accumulators); channels that 2 vectors do not divide, groups: pixel lanes.
        for (conv, input, width) in [(Conv2d(160, 640, kernelSize: 1), [1, 160, 14, 14] as Shape, 16), (Conv2d(144, 160, kernelSize: 1), [1, 144, 14, 14], 16),
                                     (Conv2d(1280, 320, kernelSize: 1), [1, 1280, 14, 14], 8), (Conv2d(512, 2048, kernelSize: 1), [1, 512, 7, 7], 8),
                                     (Conv2d(512, 520, kernelSize: 1), [1, 512, 7, 7], 16), (Conv2d(512, 512, kernelSize: 1, groups: 2), [1, 512, 7, 7], 16)] {
            guard case .gemm? = try schedule(conv, input, width: width) else { Issue.record("\(input) at \(width) lanes"); continue }
        }
    }

    @Test func groupedConvsWithFewChannelsPerGroupGoDirect() throws {
        func schedule(_ conv: Conv2d, _ input: Shape) throws -> Schedule? {
            try ScheduleKernels(target: target).run(try trace(conv.key("c"), input)).nodes[1].schedule
        }
        // EPSANet's branches: one, two and four output channels per group.
        #expect(try schedule(Conv2d(64, 16, kernelSize: 9, padding: 4, groups: 16), [1, 64, 56, 56]) == .direct(rows: 1, vectors: 4))
        #expect(try schedule(Conv2d(64, 16, kernelSize: 7, stride: 2, padding: 3, groups: 8), [1, 64, 56, 56]) == .direct(rows: 2, vectors: 4))
        #expect(try schedule(Conv2d(512, 128, kernelSize: 5, padding: 2, groups: 4), [1, 512, 7, 7]) == .direct(rows: 4, vectors: 3))
        #expect(try schedule(Conv2d(12, 9, kernelSize: 3, padding: 1, groups: 3), [1, 12, 8, 8]) == .direct(rows: 3, vectors: 3))
        // With 32 registers, 4 vectors where they compute fewer positions past the strip than 3: a 14x14
        // map's 5x5 branch runs 14 rows of 18 (252), 256 in steps of 64, 288 in steps of 48. A 7x7 map's
        // 77 positions: 96 in steps of 48 or 128 in steps of 64, so 3.
        let wide = ScheduleKernels(target: Target(vectorWidth: 16, l2Bytes: 1 << 20, threads: 2, march: "native"))
        #expect(try wide.run(try trace(Conv2d(512, 128, kernelSize: 5, padding: 2, groups: 4).key("c"), [1, 512, 14, 14])).nodes[1].schedule == .direct(rows: 4, vectors: 4))
        #expect(try wide.run(try trace(Conv2d(512, 128, kernelSize: 5, padding: 2, groups: 4).key("c"), [1, 512, 7, 7])).nodes[1].schedule == .direct(rows: 4, vectors: 3))
        // 64 per group: the GEMM's 6-row tiles have enough rows to pay for the panel.
        guard case .gemm? = try schedule(Conv2d(128, 128, kernelSize: 3, padding: 1, groups: 2), [1, 128, 14, 14]) else {
            Issue.record("groups 2 of 64"); return
        }
    }

    @Test func gateAfterA1x1MovesIntoItsEpilogue() throws {
        // VAN's attention, u * conv1(dw(u)): the product is formed in conv1's epilogue.
        let lka = Gate {
            Conv2d(8, 8, kernelSize: 5, padding: 2, groups: 8).key("conv0")
            Conv2d(8, 8, kernelSize: 1).key("conv1")
        }
        let g = try Pipeline(passes: [FuseActivation(), FuseConvGate()]).run(try trace(lka, [1, 8, 8, 8]))
        #expect(g.nodes.count == 3)
        guard case .conv2d(let a, true) = g.nodes[2].op else { Issue.record("no conv"); return }
        #expect(a.hasGate && !a.hasResidual && g.nodes[2].inputs == [1, 0] && g.output == 2)
        #expect(Printer.describe(g.nodes[2].op).hasSuffix("+bias *gate]"))
        // Left alone: a gate broadcast from [N, C, 1, 1] (SE) and a 3×3 conv (not always a GEMM).
        let se = Gate { AdaptiveAvgPool2d(1); Conv2d(8, 8, kernelSize: 1).key("fc"); Sigmoid() }
        let wide = Gate { Conv2d(8, 8, kernelSize: 3, padding: 1).key("c") }
        for net in [se, wide] as [any Layer] {
            let traced = try trace(net, [1, 8, 8, 8])
            #expect(try FuseConvGate().run(traced) == traced)
        }
    }

    @Test func depthwiseConvBeforeA1x1BecomesItsPrologue() throws {
        // VAN's MLP: fc1, dwconv + GELU, fc2. The dwconv's constants follow fc2's.
        let mlp = Sequential {
            Conv2d(4, 16, kernelSize: 1).key("fc1")
            Conv2d(16, 16, kernelSize: 3, padding: 1, groups: 16).key("dw")
            GELU()
            Conv2d(16, 4, kernelSize: 1).key("fc2")
        }
        let g = try Pipeline(passes: [FuseActivation(), FuseDepthwisePrologue()]).run(try trace(mlp, [1, 4, 16, 16]))
        #expect(g.nodes.count == 3)
        guard case .conv2d(let a, true) = g.nodes[2].op, let d = a.prologue else { Issue.record("no prologue"); return }
        #expect(d.kernelH == 3 && d.padH == 1 && d.hasBias && d.activation == .gelu)
        #expect(g.nodes[2].inputs == [1] && g.nodes[2].constants.map { g.constants[$0].shape } == [[4, 16, 1, 1], [4], [16, 1, 3, 3], [16]])
        #expect(Printer.describe(g.nodes[2].op).hasSuffix("+bias <- dw3x3 d1 +bias gelu]"))
        // Its kernel splits pixels, not channels (each chunk would redo the depthwise work).
        guard case .gemm(_, _, let tile, let chunks)? = try ScheduleKernels(target: target).run(g).nodes[2].schedule else {
            Issue.record("no schedule"); return
        }
        #expect(chunks == 1 && tile % 16 == 0 && 256 / tile % 2 == 0)  // whole rows, as many tiles a thread

        // Left alone: a strided depthwise conv, a dilated one (VAN's attention: the depthwise
        // kernel's row bands run it faster), one read twice, and a narrow map too big for one panel.
        let dilated = Sequential {
            Conv2d(4, 4, kernelSize: 7, padding: 9, dilation: 3, groups: 4).key("conv_spatial")
            Conv2d(4, 4, kernelSize: 1).key("conv1")
        }
        let strided = Sequential {
            Conv2d(4, 4, kernelSize: 3, stride: 2, padding: 1, groups: 4).key("dw")
            Conv2d(4, 4, kernelSize: 1).key("pw")
        }
        let shared = Sequential {
            Conv2d(4, 4, kernelSize: 3, padding: 1, groups: 4).key("dw")
            Residual { Conv2d(4, 4, kernelSize: 1).key("pw") }
        }
        let narrow = Sequential {
            Conv2d(2048, 2048, kernelSize: 3, padding: 1, groups: 2048).key("dw")
            Conv2d(2048, 4, kernelSize: 1).key("pw")
        }
        func untouched(_ net: some Layer, _ shape: Shape) throws -> Bool {
            let traced = try trace(net, shape)
            return try FuseDepthwisePrologue().run(traced) == traced
        }
        #expect(try untouched(strided, [1, 4, 16, 16]))
        #expect(try untouched(dilated, [1, 4, 16, 16]))
        #expect(try untouched(shared, [1, 4, 16, 16]))
        #expect(try untouched(narrow, [1, 2048, 7, 7]))
    }

    @Test func depthwiseConvIsNotScheduledAsGemm() throws {
        let g = try ScheduleKernels(target: target).run(try trace(Conv2d(4, 4, kernelSize: 3, groups: 4).key("dw")))
        #expect(g.nodes[1].schedule == nil)
    }
}

/// Whether node `b` may be planned over its operand `a` (PlanMemory's in-place case): an
/// element-wise op over any operand, a conv over its residual or gate but never its input.
func mayWriteOver(_ g: Graph, _ b: Int, _ a: Int) -> Bool {
    let node = g.nodes[b]
    switch node.op {
    case .binary, .mulAdd, .activation: return node.inputs.contains(a)
    case .conv2d(let attrs, _) where node.schedule == nil && attrs.groups > 1 && attrs.groups == attrs.outChannels:
        return attrs.strideH == 1 && attrs.strideW == 1 && node.inputs[0] == a && !node.inputs.dropFirst().contains(a)
    case .conv2d(let attrs, _): return (attrs.hasResidual || attrs.hasGate) && node.inputs.dropFirst().contains(a) && node.inputs[0] != a
    default: return false
    }
}

/// The memory plan on whole networks: no two values that are alive at once share bytes, but for
/// an element-wise node, or a GEMM conv's residual or gate, written over an operand of its shape
/// that it reads last.
struct PlanMemoryTests {
    /// The values the plan writes in place (each with the operand it replaces), after checking
    /// that every other pair of values alive at once lies apart.
    func inPlacePairs(_ net: some Layer) throws -> [(operand: Int, value: Int)] {
        let g = try Pipeline.standard(target: target).run(try trace(net, [1, 3, 64, 64]))
        let plan = try #require(g.memory)
        var lastUse = Array(0..<g.nodes.count)
        for (id, node) in g.nodes.enumerated() { for i in node.inputs { lastUse[i] = max(lastUse[i], id) } }
        func range(_ id: Int) -> Range<Int>? {
            switch plan.storage[id] {
            case .arena(let offset): return offset ..< offset + g.nodes[id].shape.count
            case .alias(let root): return range(root)
            default: return nil
            }
        }
        func root(_ id: Int) -> Int { if case .alias(let of) = plan.storage[id] { of } else { id } }
        var pairs: [(operand: Int, value: Int)] = []
        for a in g.nodes.indices { for b in g.nodes.indices where a < b && b <= lastUse[a] {
            guard let ra = range(a), let rb = range(b), root(a) != root(b), ra.overlaps(rb) else { continue }
            if mayWriteOver(g, b, a) && ra == rb && lastUse[a] == b {
                pairs.append((a, b))
            } else {
                Issue.record("%\(a) and %\(b) overlap while both are live")
            }
        } }
        // Reuse must actually happen on a 50-layer network.
        #expect(plan.arenaFloats * 3 < plan.totalActivationFloats)
        return pairs
    }

    @Test func liveValuesNeverOverlap() throws {
        // ResNet-50: each block's conv3 over its residual (the block's input, or its downsample's output).
        let g = try Pipeline.standard(target: target).run(try trace(ResNet(), [1, 3, 64, 64]))
        let pairs = try inPlacePairs(ResNet())
        #expect(pairs.count == 16)
        for (_, value) in pairs { #expect(g.nodes[value].name.hasSuffix(".conv3"), "%\(value)") }
    }

    @Test func gatesWriteOverTheConvTheyScale() throws {
        // ECA-ResNet-50: each block's gate (conv3 * gate, with the residual in blocks 1..) over conv3's output,
        // and in each stage's first block the downsample conv (the residual's add) over the gated conv3.
        let g = try Pipeline.standard(target: target).run(try trace(Zoo.entry(named: "eca_resnet50")!.build([:]), [1, 3, 64, 64]))
        let pairs = try inPlacePairs(Zoo.entry(named: "eca_resnet50")!.build([:]))
        let gates = pairs.filter { g.nodes[$0.operand].name.hasSuffix(".conv3") }
        let downsamples = pairs.filter { g.nodes[$0.value].name.hasSuffix(".downsample.0") }
        #expect(gates.count == 16 && downsamples.count == 4 && pairs.count == 20, "\(pairs)")
    }

    @Test func depthwiseConvsWriteOverAnInputTheyReadLast() throws {
        // VAN-b0 (13 blocks): each conv_spatial over conv0's output, which only it reads; never conv0
        // over its input, which conv1 reads again as its gate. (At 64² every MLP dwconv is an fc2 prologue.)
        let van = Zoo.entry(named: "van_b0")!.build([:])
        let g = try Pipeline.standard(target: target).run(try trace(van, [1, 3, 64, 64]))
        let depthwise = try inPlacePairs(van).filter { pair in
            if case .conv2d(let a, _) = g.nodes[pair.value].op { a.groups > 1 } else { false }
        }
        #expect(depthwise.count == 13, "\(depthwise)")
        for (operand, value) in depthwise {
            #expect(g.nodes[value].name.hasSuffix(".conv_spatial") && g.nodes[operand].name.hasSuffix(".conv0"), "%\(operand) -> %\(value)")
        }
    }
}

/// `x + s * conv(x)` with a learned per-channel `s` (VAN's layer scale), optionally `relu(conv(x))`.
private struct ScaledResidual: Layer {
    var key: String
    var relu = false
    func forward(_ x: Tensor) throws -> Tensor {
        let s = try x.builder.parameterTensor("s", [4]).view(4, 1, 1)
        let conv = try Conv2d(4, 4, kernelSize: 1).key(key).forward(x)
        return try x + s * (relu ? ReLU().forward(conv) : conv)
    }
}

/// `x + s * (c2(relu(c1(bn(x)))) + bn(x))`: VAN's attention half in miniature.
private struct NormedScaledResidual: Layer {
    var kernel = 1
    func forward(_ x: Tensor) throws -> Tensor {
        let s = try x.builder.parameterTensor("s", [4]).view(4, 1, 1)
        let z = try BatchNorm2d(4).key("bn").forward(x)
        let u = try ReLU().forward(Conv2d(4, 4, kernelSize: 1).key("c1").forward(z))
        let v = try Conv2d(4, 4, kernelSize: kernel, padding: kernel / 2).key("c2").forward(u)
        return try x + s * (v + z)
    }
}
