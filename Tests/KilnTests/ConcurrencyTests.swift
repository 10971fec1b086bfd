import Foundation
import Kiln
import Testing

/// Sessions own their arenas, so several may run one compiled model at once.
struct ConcurrencyTests {
    static let small: Zoo.Config = ["layers": [1, 1, 1, 1], "width": [8], "num_classes": [10]]

    func compiled(_ model: String = "se_resnet50") throws -> CompiledModel {
        try ModelCompiler.compile(Zoo.entry(named: model)!.build(Self.small), name: model, input: [2, 3, 32, 32],
                                  options: CompileOptions(threads: 2, cacheDirectory: testCacheDirectory))
    }

    @Test func twoSessionsOnTwoThreadsMatchASerialRunBitForBit() throws {
        let model = try compiled()
        let inputs = (0..<2).map { SeededWeights.input(shape: [2, 3, 32, 32], seed: UInt64(10 + $0)) }
        let serialSession = try model.load(weights: SeededWeightSource(seed: 1))
        let serial = try inputs.map { try serialSession.run($0) }

        // Each session is handed to one thread only: the rule Session documents.
        nonisolated(unsafe) let sessions = try (0..<2).map { _ in try model.load(weights: SeededWeightSource(seed: 1)) }
        nonisolated(unsafe) var results = [[[Float]]](repeating: [], count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            // Each thread owns its session; 50 runs each keep both busy at the same time.
            results[i] = (0..<50).map { _ in (try? sessions[i].run(inputs[i])) ?? [] }
        }
        for i in 0..<2 {
            #expect(results[i].allSatisfy { $0 == serial[i] })
        }
    }

    /// RSS is the whole process's, so this runs alone: tools/test.sh runs it as
    /// `KILN_MEMORY_TEST=1 swift test --filter thousandRunsDoNotGrowMemory`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KILN_MEMORY_TEST"] == "1"))
    func thousandRunsDoNotGrowMemory() throws {
        let model = try compiled("resnet50")
        let session = try model.load(weights: SeededWeightSource(seed: 1))
        let input = SeededWeights.input(shape: [2, 3, 32, 32], seed: 2)
        for _ in 0..<50 { _ = try session.run(input) }
        // A leak grows RSS in every window; allocator noise does not, so the quietest of
        // three windows of 1000 runs decides.
        var growths: [Int] = []
        for _ in 0..<3 {
            let before = residentBytes()
            for _ in 0..<1000 { _ = try session.run(input) }
            growths.append(residentBytes() - before)
        }
        #expect(growths.min()! < 1 << 20, "RSS grew by \(growths) bytes over each 1000 runs")
    }

    @Test func setThreadsRejectsZero() throws {
        let session = try compiled("resnet50").load(weights: SeededWeightSource(seed: 1))
        #expect(throws: KilnError.self) { try session.setThreads(0) }
        try session.setThreads(1)
        _ = try session.run(SeededWeights.input(shape: [2, 3, 32, 32], seed: 2))
    }
}

/// Resident set size from /proc/self/statm (pages × page size).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}
