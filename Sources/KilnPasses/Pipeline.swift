import Foundation
import KilnIR

/// The pass order, in one place. The runner verifies the graph after every pass and, when
/// `log` is given, reports each pass's name and time (and the changed IR with `dumpIR`).
public struct Pipeline: Sendable {
    public var passes: [any Pass]

    public static func standard(target: Target, winograd: Bool = true, splitBatch: Bool = true,
                                tuned: [String: Schedule] = [:]) -> Pipeline {
        let early: [any Pass] = [
            FoldBatchNorm(),
            LowerBatchNorm(),
            FuseConvEpilogue(),
            FuseActivation(),
            FuseMulAdd(),
            FoldLayerScale(),
            FuseConvGate(),
            FuseDepthwisePrologue(),
        ]
        let late: [any Pass] = [
            ScheduleKernels(target: target, winograd: winograd, tuned: tuned),
            PackConvWeights(),
            PlanMemory(),
        ]
        return Pipeline(passes: early + (splitBatch ? [SplitBatch(cacheBytes: target.cacheBytes)] : []) + late)
    }

    public func run(_ graph: Graph, log: ((String) -> Void)? = nil, dumpIR: Bool = false) throws -> Graph {
        try Verifier.verify(graph, after: "trace")
        var g = graph
        for pass in passes {
            let start = DispatchTime.now()
            let next = try pass.run(g)
            try Verifier.verify(next, after: type(of: pass).name)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
            log?("pass \(type(of: pass).name): \(String(format: "%.2f", ms)) ms, \(next.nodes.count) nodes")
            if dumpIR, next != g { log?(Printer.render(next)) }
            g = next
        }
        return g
    }
}
