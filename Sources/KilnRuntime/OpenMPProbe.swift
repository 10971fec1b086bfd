import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Proves that a compiler + flag set really produces a working OpenMP program — compiles,
/// links and *runs* (which catches a libomp.so that links but is not found at run time).
/// Probing costs a compile, so outcomes are remembered in `<cache>/compilers/`, keyed by
/// compiler path, version and every candidate flag set (installing libomp-dev adds a
/// candidate, which changes the key, so a remembered failure never outlives its cause).
enum OpenMPProbe {
    /// Uses the constructs the templates use: a dynamic schedule makes clang 21 call
    /// `__kmpc_dispatch_deinit`, which libomp older than 19 lacks (it links, then fails to load).
    static let source = """
        #include <omp.h>
        #include <stdio.h>
        int main(void) {
            int threads = 0, sum = 0;
            #pragma omp parallel
            {
                #pragma omp atomic
                threads += 1;
            }
            #pragma omp parallel for schedule(dynamic, 1) reduction(+:sum)
            for (int i = 0; i < 64; i++) sum += i;
            printf("kiln-openmp-ok %d %d\\n", threads, omp_get_max_threads());
            return threads >= 1 && sum == 2016 ? 0 : 1;
        }
        """

    /// The outcome of probing every candidate in order.
    enum Outcome: Equatable {
        case works(OpenMPFlags)
        case fails(detail: String)
    }

    /// The first candidate that works, from the cache file if present, else by probing
    /// (and then recording the result; failures are recorded only if `rememberFailure`).
    static func firstWorking(compiler path: String, version: String, candidates: [OpenMPFlags],
                             cacheDirectory: String, rememberFailure: Bool) -> Outcome {
        var key = StableHash()
        key.update("openmp-probe-v2")
        key.update(path)
        key.update(version)
        for c in candidates { key.update(c.compile); key.update(c.link) }
        let recordPath = "\(cacheDirectory)/compilers/\(key.hex).txt"
        if let recorded = read(recordPath, candidates: candidates) { return recorded }

        var detail = "no OpenMP flags to try"
        for candidate in candidates {
            switch probe(path, candidate, cacheDirectory: cacheDirectory) {
            case .works:
                write(.works(candidate), candidates: candidates, to: recordPath)
                return .works(candidate)
            case .fails(let why):
                detail = why
            }
        }
        if rememberFailure { write(.fails(detail: detail), candidates: candidates, to: recordPath) }
        return .fails(detail: detail)
    }

    /// Compiles and runs the probe with one flag set in a scratch directory.
    private static func probe(_ compiler: String, _ flags: OpenMPFlags, cacheDirectory: String) -> Outcome {
        let base = FileManager.default.fileExists(atPath: cacheDirectory) ? cacheDirectory : NSTemporaryDirectory()
        let dir = "\(base)/probe-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try source.write(toFile: "\(dir)/probe.c", atomically: false, encoding: .utf8)
        } catch {
            return .fails(detail: "cannot write the probe in \(dir): \(error.localizedDescription)")
        }
        let args = flags.compile + ["probe.c", "-o", "probe"] + flags.link
        let build = Subprocess.run(compiler, args, directory: dir)
        guard build.status == 0 else {
            let firstError = build.output.split(separator: "\n").first(where: { $0.contains("error") }) ?? build.output.split(separator: "\n").first ?? ""
            return .fails(detail: "`\(Subprocess.commandLine(compiler, args))` failed: \(firstError.trimmingCharacters(in: .whitespaces))")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_NUM_THREADS"] = "2"
        let run = Subprocess.run("\(dir)/probe", [], directory: dir, environment: environment)
        guard run.status == 0, run.output.hasPrefix("kiln-openmp-ok") else {
            let firstLine = run.output.split(separator: "\n").first.map(String.init) ?? "exit status \(run.status)"
            return .fails(detail: "the OpenMP probe built with `\(flags.compile.joined(separator: " "))` did not run: \(firstLine)")
        }
        return .works(flags)
    }

    /// Record format: "works <index of candidate>" or "fails <detail>".
    private static func read(_ path: String, candidates: [OpenMPFlags]) -> Outcome? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        if text.hasPrefix("works "), let index = Int(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)),
           candidates.indices.contains(index) {
            return .works(candidates[index])
        }
        if text.hasPrefix("fails ") { return .fails(detail: String(text.dropFirst(6))) }
        return nil
    }

    private static func write(_ outcome: Outcome, candidates: [OpenMPFlags], to path: String) {
        let text: String
        switch outcome {
        case .works(let flags): text = "works \(candidates.firstIndex(of: flags) ?? 0)\n"
        case .fails(let detail): text = "fails \(detail)"
        }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if let data = text.data(using: .utf8) { try? AtomicFile.write(data, to: path) }
    }
}
