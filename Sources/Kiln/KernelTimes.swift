import Foundation
import KilnIR

/// Per-run times of a profiled model (`CompileOptions.profile`), for `kiln profile` and the tuner.
public struct KernelTimes: Sendable {
    /// Wall time of each run.
    public var runs: [Double]
    /// Each node's kernel time in each run (seconds; a node's calls summed).
    public var nodes: [ValueID: [Double]]

    /// The median of each node's times: what a shared machine's outliers do not skew.
    public var medians: [ValueID: Double] { nodes.mapValues(Self.median) }

    public static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

extension KernelTimes {
    /// One run: its wall time and each node's kernel time.
    public struct Run: Sendable {
        public var seconds: Double
        public var nodes: [ValueID: Double]
    }
}

extension Session {
    /// Runs `input` once, reading the model's kernel timers before and after.
    public func timedRun(_ input: [Float]) throws -> KernelTimes.Run {
        // The counters accumulate (over all sessions of the model): a run's time is the difference.
        func totals() -> [ValueID: Double] { Dictionary(model.profile().map { ($0.node, $0.seconds) }, uniquingKeysWith: +) }
        let before = totals(), start = Date()
        _ = try run(input)
        let seconds = Date().timeIntervalSince(start)
        return KernelTimes.Run(seconds: seconds, nodes: totals().merging(before) { $0 - $1 })
    }

    /// Runs `input` once untimed, then `runs` timed runs.
    public func timeKernels(_ input: [Float], runs: Int) throws -> KernelTimes {
        _ = try run(input)
        var times = KernelTimes(runs: [], nodes: [:])
        for _ in 0..<runs {
            let r = try timedRun(input)
            times.runs.append(r.seconds)
            for (node, seconds) in r.nodes { times.nodes[node, default: []].append(seconds) }
        }
        return times
    }
}
