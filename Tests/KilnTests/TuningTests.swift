import Foundation
import Kiln
import KilnPasses
import KilnZoo
import Testing

/// `--tune`: every candidate schedule computes the same network, the tuner records only
/// candidates, and tuning files are checked when read.
struct TuningTests {
    /// Reduced networks that still reach every kernel the tuner varies: GEMMs with pixel and
    /// channel lanes (7×7 maps), Winograd, direct grouped convs, depthwise prologues and gates.
    static let networks: [(name: String, config: [String: [Int]], input: Shape)] = [
        ("resnet50", ["layers": [1, 1, 1, 1], "width": [16], "num_classes": [10]], [1, 3, 112, 112]),
        ("epsanet50", ["layers": [1, 1, 1, 1], "width": [64], "num_classes": [10]], [1, 3, 64, 64]),
        ("van_b0", ["embed_dims": [32, 32, 64, 64], "depths": [1, 1, 1, 1], "num_classes": [10]], [2, 3, 64, 64]),
    ]

    @Test(arguments: networks.indices)
    func everyCandidateComputesTheSameNetwork(_ index: Int) throws {
        let (name, config, input) = Self.networks[index]
        let layer = Zoo.entry(named: name)!.build(config)
        let options = CompileOptions(threads: 2, cacheDirectory: testCacheDirectory)
        let target = Target.host(threads: 2)
        let layers = ScheduleKernels(target: target).tunableLayers(
            try ModelCompiler.lower(layer, name: name, input: input, target: target, options: options))
        let rounds = layers.map(\.candidates.count).max() ?? 0
        #expect(rounds >= 3, "too few candidates to test anything")
        let x = SeededWeights.input(shape: input.dims, seed: 2)
        func run(_ round: Int) throws -> (output: [Float], model: CompiledModel) {
            var file = TuningFile()
            file.targets[TuningFile.targetKey(target)] = Dictionary(layers.map { l in
                (l.key, TuningFile.Entry(schedule: l.candidates[min(round, l.candidates.count - 1)], ms: 0, defaultMs: 0))
            }, uniquingKeysWith: { a, _ in a })
            var o = options
            o.tuning = file
            let model = try ModelCompiler.compile(layer, name: name, input: input, options: o)
            let session = try model.load(weights: SeededWeightSource(seed: 1))
            return (try session.run(x), model)
        }
        let reference = try run(0).output
        for round in 1..<rounds {
            let (output, model) = try run(round)
            // Layers of one key share a candidate list, so every layer got its round's schedule.
            for l in layers { #expect(model.graph.nodes[l.id].schedule == l.candidates[min(round, l.candidates.count - 1)]) }
            let worst = zip(output, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-4, "round \(round) of \(name): max |diff| \(worst)")
        }
    }

    @Test func candidatesStartWithThePassesPickAndAreDistinct() throws {
        for width in [8, 16] {
            var kinds = Set<String>()
            for (name, config, input) in Self.networks {
                let target = Target(vectorWidth: width, l2Bytes: 1 << 20, threads: 2, march: "native")
                let traced = try Tracer.trace(Zoo.entry(named: name)!.build(config), name: name, input: input)
                let scheduled = try Pipeline.standard(target: target).run(traced)
                for l in ScheduleKernels(target: target).tunableLayers(scheduled) {
                    #expect(l.candidates.first == scheduled.nodes[l.id].schedule)
                    #expect(Set(l.candidates).count == l.candidates.count)
                    kinds.formUnion(l.candidates.map { String(describing: $0).prefix { $0 != "(" }.description })
                }
            }
            // So the networks above run every kind of kernel the tuner can pick.
            #expect(kinds == ["gemm", "gemmChannelLanes", "winograd", "direct"], "at \(width) lanes")
        }
    }

    @Test func theTunerRecordsOnlyCandidatesThatWin() throws {
        let (name, config, input) = Self.networks[0]
        let layer = Zoo.entry(named: name)!.build(config)
        let compile = CompileOptions(threads: 2, cacheDirectory: testCacheDirectory)
        let target = Target.host(threads: 2)
        let layers = ScheduleKernels(target: target).tunableLayers(
            try ModelCompiler.lower(layer, name: name, input: input, target: target, options: compile))
        var prior = TuningFile()
        let other = TuningFile.Entry(schedule: .direct(rows: 1, vectors: 4), ms: 1, defaultMs: 2)
        prior.targets["another CPU"] = ["some layer": other]
        prior.targets[TuningFile.targetKey(target)] = [layers[0].key: TuningFile.Entry(schedule: layers[0].candidates.last!, ms: 1, defaultMs: 2)]
        var options = ScheduleTuner.Options()
        options.runs = 2
        // No candidate can save more than everything: the network's old entries go, others stay.
        options.minGain = 1.5
        let strict = try ScheduleTuner.tune(layer, name: name, input: input, compile: compile, options: options, into: prior)
        #expect(strict.file.targets["another CPU"] == ["some layer": other])
        #expect(strict.file.targets[TuningFile.targetKey(target)] == nil)
        #expect(Set(strict.results.map(\.key)) == Set(layers.map(\.key)))
        #expect(strict.results.allSatisfy { $0.tuned == nil && $0.pickSeconds > 0 })

        options.minGain = 0  // any candidate faster than the pick, in screening and in confirmation
        let loose = try ScheduleTuner.tune(layer, name: name, input: input, compile: compile, options: options, into: TuningFile())
        let entries = loose.file.targets[TuningFile.targetKey(target)] ?? [:]
        for (key, entry) in entries {
            let candidates = layers.first { $0.key == key }!.candidates
            #expect(candidates.dropFirst().contains(entry.schedule))
            #expect(entry.ms <= entry.defaultMs)  // strictly less before rounding to the microsecond
        }
        #expect(entries.count == loose.results.filter { $0.tuned != nil }.count)
    }

    @Test func aTunedScheduleReplacesThePickOnlyIfItIsACandidate() throws {
        let target = Target(vectorWidth: 16, l2Bytes: 1 << 20, threads: 2, march: "native")
        let g = try Tracer.trace(Conv2d(64, 64, kernelSize: 1).key("c"), name: "t", input: [1, 64, 28, 28])
        let layer = ScheduleKernels(target: target).tunableLayers(g)[0]
        let alternative = layer.candidates[1]
        #expect(try ScheduleKernels(target: target, tuned: [layer.key: alternative]).run(g).nodes[1].schedule == alternative)
        // Not one of this conv's candidates (a file from another Kiln, or edited by hand).
        let foreign = Schedule.gemm(rows: 5, cols: 48, pixelTile: 96, channelChunks: 3)
        #expect(!layer.candidates.contains(foreign))
        #expect(try ScheduleKernels(target: target, tuned: [layer.key: foreign]).run(g).nodes[1].schedule == layer.candidates[0])
    }

    @Test func tuningFilesRoundTripAndBadOnesAreRefusedByName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tuning-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/tuning.json"
        #expect(try TuningFile.load(path) == TuningFile())  // none yet
        var file = TuningFile()
        file.targets["cpu"] = ["conv": TuningFile.Entry(schedule: .winograd(outputTile: 4, rows: 6, cols: 32, tileGroup: 3), ms: 0.5, defaultMs: 0.6)]
        try file.save(path)
        #expect(try TuningFile.load(path) == file)

        for (text, problem) in [("{\"format\": \"kiln-tuning-1\", \"targets\": {\"cpu\": {\"conv\": {\"schedule\": {\"gemm\": {}}}}}}", "is not a Kiln tuning file"),
                                ("not json", "is not a Kiln tuning file"),
                                ("{\"format\": \"kiln-tuning-0\", \"targets\": {}}", "has format 'kiln-tuning-0'")] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                try TuningFile.load(path)
            } throws: { error in
                guard let e = error as? KilnError, case .tuningFile(let p, _) = e else { return false }
                return p == path && e.description.contains(problem)
            }
        }
    }
}
