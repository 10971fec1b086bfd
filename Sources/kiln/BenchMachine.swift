import Foundation
import Kiln

/// What `kiln bench` measures about the machine itself: how busy other processes keep it,
/// and (with Benchmarks/clock_probe.c) the clock its cores run at.
enum BenchMachine {
    /// CPU time from /proc/stat (all cores) and /proc/self/stat (this process), in clock
    /// ticks, to tell how busy other processes kept the machine during a timed run.
    struct CPUUsage {
        var busy = 0, total = 0, own = 0

        static func sample() -> CPUUsage {
            var u = CPUUsage()
            // "cpu  user nice system idle iowait irq softirq steal ..."
            if let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
               let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) {
                let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Int($0) }
                if ticks.count == 8 {
                    u.total = ticks.reduce(0, +)
                    u.busy = u.total - ticks[3] - ticks[4]
                }
            }
            // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces.
            if let me = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
               let paren = me.lastIndex(of: ")") {
                let fields = me[me.index(after: paren)...].split(separator: " ")
                if fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) { u.own = user + system }
            }
            return u
        }

        /// Cores' worth of CPU that other processes used between `self` and `later`.
        func othersBusy(until later: CPUUsage) -> Double {
            let total = later.total - self.total
            guard total > 0 else { return 0 }
            let others = (later.busy - busy) - (later.own - own)
            return Double(max(others, 0)) / Double(total) * Double(ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    /// A new folder for one command's temporary files; the caller removes it.
    static func scratchDirectory(_ command: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiln-\(command)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The FMA peak of `threads` threads, from the clock probe where it runs (scratch files in
    /// `directory`), and a note if it did not.
    static func peak(threads: Int, in directory: String) -> (peak: MachinePeak, note: String?) {
        var peak = MachinePeak.host(threads: threads)
        let probe = probeClock(threads: threads, in: directory)
        peak.measured = probe.measurement
        return (peak, probe.note)
    }

    /// Builds and runs Benchmarks/clock_probe.c on `threads` threads: the clock the cores
    /// really run at and their FMA rate. On failure, a note saying why (the nominal clock is used).
    static func probeClock(threads: Int, in directory: String) -> (measurement: MachinePeak.Measurement?, note: String?) {
        // Sources/kiln/BenchMachine.swift -> <package>/Benchmarks/clock_probe.c
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/clock_probe.c").path
        guard FileManager.default.fileExists(atPath: source) else {
            return (nil, "no \(source), so the peak uses the nominal clock")
        }
        let binary = directory + "/clock_probe"
        guard let cc = try? CCompiler.detect() else {
            return (nil, "no C compiler for the clock probe, so the peak uses the nominal clock")
        }
        let build = execute(cc.path, ["-O2", "-march=native", "-pthread", source, "-o", binary], logs: directory + "/clock_probe-cc")
        guard build.status == 0 else {
            return (nil, "cannot compile \(source) (\(build.output.prefix(200))), so the peak uses the nominal clock")
        }
        let run = execute(binary, [String(threads)], logs: directory + "/clock_probe-run")
        var values: [String: Double] = [:]
        for line in run.output.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, let v = Double(words[1]) { values[String(words[0])] = v }
        }
        guard run.status == 0, let ghz = values["ghz"], ghz > 0 else {
            return (nil, "the clock probe measured nothing on this CPU, so the peak uses the nominal clock")
        }
        return (MachinePeak.Measurement(ghz: ghz, fmaGFlopsPerThread: values["fma_gflops"] ?? 0), nil)
    }

    /// Runs a program to completion and returns its status and combined output, which goes
    /// through the file `logs` (a pipe nobody reads while it runs could fill up and block it).
    static func execute(_ executable: String, _ arguments: [String], logs: String) -> (status: Int32, output: String) {
        defer { try? FileManager.default.removeItem(atPath: logs) }
        guard FileManager.default.createFile(atPath: logs, contents: nil),
              let handle = FileHandle(forWritingAtPath: logs) else { return (-1, "cannot create \(logs)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch {
            return (-1, "cannot run \(executable): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        try? handle.close()
        return (process.terminationStatus, (try? String(contentsOfFile: logs, encoding: .utf8)) ?? "")
    }
}
