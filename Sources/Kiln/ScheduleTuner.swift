import Foundation
import KilnDSL
import KilnIR
import KilnPasses
import KilnRuntime

/// `--tune`: times the schedule pass's candidate schedules of every convolution in the network
/// and records those faster than its own pick in a tuning file (`TuningFile`).
///
/// Variant r of the network puts every layer on its r-th candidate (its own pick once it has
/// no more), with a timer around each kernel: each kernel is timed in the network, on the
/// caches its neighbours leave, and one compile measures every layer at once, so tuning costs
/// as many compiles as the longest candidate list, not one per candidate. Layers of one shape
/// share a key and a schedule, and their times are summed. All variants are loaded together
/// and run in turn, so a shared machine's bursts of noise, which span many runs, fall on all
/// of them alike; a candidate's time is its fastest run, since noise only ever adds time. It
/// replaces the pick only if `minGain` faster there and again in a confirmation that runs all
/// the winners together against the picks, since a kernel's time depends on its neighbours'
/// schedules (what they leave in which core's cache).
public enum ScheduleTuner {
    public struct Options: Sendable {
        /// Timed runs of each variant (after one warm-up).
        public var runs = 12
        /// Fraction a candidate must save over the pick to be recorded.
        public var minGain = 0.03
        /// Receives a line per compile and per measurement.
        public var log: (@Sendable (String) -> Void)?
        public init() {}
    }

    /// What tuning found for one layer key.
    public struct Result: Sendable {
        public var key: String
        /// The modules with this key (`layer1.0.conv2`, ...).
        public var layers: [String]
        public var pick: Schedule
        public var pickSeconds: Double
        /// The fastest candidate, when it beat the pick by `minGain`.
        public var tuned: Schedule?
        public var tunedSeconds: Double
        public var candidates: Int
    }

    public struct Outcome: Sendable {
        /// The file given, with this target's entries for the network's layers replaced.
        public var file: TuningFile
        public var results: [Result]
        /// Seconds of the fastest run (profiled build) with the pass's own picks and with the
        /// winners, from the confirmation; nil if no candidate won screening.
        public var confirmedRun: (picks: Double, tuned: Double)?
    }

    /// Tunes `layer` for inputs of shape `input` under `compile` (threads, cache, Winograd,
    /// split batch; its `tuning` is ignored: candidates are measured against the pass's own
    /// picks).
    public static func tune(_ layer: some Layer, name: String, input: Shape, compile: CompileOptions,
                            options: Options = Options(), into file: TuningFile) throws -> Outcome {
        let target = Target.host(threads: compile.threads)
        var base = compile
        base.tuning = nil
        base.profile = true
        let graph = try ModelCompiler.lower(layer, name: name, input: input, target: target, options: base)
        var keys: [String] = [], byKey: [String: (candidates: [Schedule], nodes: [ValueID])] = [:]
        for l in ScheduleKernels(target: target, winograd: compile.winograd).tunableLayers(graph) {
            if byKey[l.key] == nil { keys.append(l.key) }
            byKey[l.key, default: (l.candidates, [])].nodes.append(l.id)
        }
        let targetKey = TuningFile.targetKey(target)
        let inputData = SeededWeights.input(shape: input.dims, seed: 2)

        /// Compiles one variant per choice (candidate `choice[key]` for each key, 0 if absent),
        /// runs them in turn, and returns per variant each key's fastest-run time (its layers
        /// summed) and the fastest whole run.
        func measure(_ choices: [[String: Int]], _ label: String) throws -> [(keys: [String: Double], run: Double)] {
            var sessions: [Session] = []
            for (i, choice) in choices.enumerated() {
                var trial = TuningFile()
                trial.targets[targetKey] = Dictionary(uniqueKeysWithValues: byKey.map { key, v in
                    (key, TuningFile.Entry(schedule: v.candidates[choice[key] ?? 0], ms: 0, defaultMs: 0))
                })
                var o = base
                o.tuning = trial
                let model = try ModelCompiler.compile(layer, name: name, input: input, options: o)
                // The pass takes any of its own candidates, so every layer has the one asked for.
                for (key, v) in byKey { precondition(v.nodes.allSatisfy { model.graph.nodes[$0].schedule == v.candidates[choice[key] ?? 0] }) }
                let session = try model.load(weights: SeededWeightSource(seed: 1))
                try session.setThreads(target.threads)
                _ = try session.run(inputData)
                sessions.append(session)
                options.log?(String(format: "tune %@: %@ %d/%d compiled in %.1f s", name, label, i + 1, choices.count, model.compileSeconds))
            }
            var runs = Array(repeating: [KernelTimes.Run](), count: sessions.count)
            for round in 0..<max(options.runs, 1) {
                for k in sessions.indices {
                    let i = (k + round) % sessions.count  // rotate, so no variant always follows the same one
                    runs[i].append(try sessions[i].timedRun(inputData))
                }
            }
            return runs.map { rs in
                let perKey = Dictionary(uniqueKeysWithValues: keys.map { key in
                    (key, rs.map { r in byKey[key]!.nodes.reduce(0) { $0 + (r.nodes[$1] ?? 0) } }.min() ?? 0)
                })
                return (perKey, rs.map(\.seconds).min() ?? 0)
            }
        }

        // Screening: variant r puts every layer on its r-th candidate.
        let rounds = byKey.values.map(\.candidates.count).max() ?? 0
        let choices = (0..<rounds).map { r in byKey.mapValues { r < $0.candidates.count ? r : 0 } }
        let screened = try measure(choices, "candidates")
        var winners: [String: Int] = [:]
        for key in keys {
            var best = Array(repeating: Double.infinity, count: byKey[key]!.candidates.count)
            for (choice, m) in zip(choices, screened) { best[choice[key]!] = min(best[choice[key]!], m.keys[key]!) }
            let winner = best.indices.min { best[$0] < best[$1] }!
            if winner != 0 && best[winner] < (1 - options.minGain) * best[0] { winners[key] = winner }
        }

        // Confirmation: the winners together against the picks; winners that lose their gain go.
        let confirmed = winners.isEmpty ? nil : try measure([[:], winners], "confirmation")
        var out = file
        var entries = out.targets[targetKey] ?? [:]
        var results: [Result] = []
        for key in keys {
            let v = byKey[key]!
            let pickSeconds = confirmed?[0].keys[key] ?? screened[0].keys[key]!
            var winner = winners[key]
            if winner != nil, let c = confirmed, c[1].keys[key]! >= (1 - options.minGain) * pickSeconds { winner = nil }
            let tunedSeconds = winner == nil ? pickSeconds : confirmed![1].keys[key]!
            results.append(Result(key: key, layers: v.nodes.map { graph.nodes[$0].name }, pick: v.candidates[0], pickSeconds: pickSeconds,
                                  tuned: winner.map { v.candidates[$0] }, tunedSeconds: tunedSeconds, candidates: v.candidates.count))
            entries[key] = winner.map { TuningFile.Entry(schedule: v.candidates[$0], ms: milliseconds(tunedSeconds), defaultMs: milliseconds(pickSeconds)) }
        }
        out.targets[targetKey] = entries.isEmpty ? nil : entries
        return Outcome(file: out, results: results, confirmedRun: confirmed.map { (picks: $0[0].run, tuned: $0[1].run) })
    }

    /// Milliseconds to the microsecond: the timers' noise is larger.
    static func milliseconds(_ seconds: Double) -> Double { (seconds * 1e6).rounded() / 1e3 }
}
