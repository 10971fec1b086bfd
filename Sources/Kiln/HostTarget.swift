import Foundation
import KilnIR

extension Target {
    /// The machine this process runs on, read from /proc/cpuinfo and sysfs: the JIT compiles
    /// with `-march=native`, so the vector width must match what the CPU really has.
    public static func host(threads: Int? = nil) -> Target {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?
            .split(separator: " ").map(String.init) ?? [])
        var width = flags.contains("avx512f") ? 16 : (flags.contains("avx2") && flags.contains("fma") ? 8 : 4)
        if let forced = ProcessInfo.processInfo.environment["KILN_VL"].flatMap(Int.init), [4, 8, 16].contains(forced), forced <= width { width = forced }
        return Target(vectorWidth: width, l2Bytes: cacheBytes(level: 2) ?? 512 * 1024, cacheBytes: cacheBytes(level: 3) ?? 8 << 20,
                      threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, march: "native")
    }

    /// sysfs's cache index 2 is the L2 and 3 the L3 (0 and 1 are L1 data and instructions).
    private static func cacheBytes(level: Int) -> Int? {
        guard let text = try? String(contentsOfFile: "/sys/devices/system/cpu/cpu0/cache/index\(level)/size", encoding: .utf8)
        else { return nil }
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.hasSuffix("K"), let k = Int(s.dropLast()) { return k * 1024 }
        if s.hasSuffix("M"), let m = Int(s.dropLast()) { return m * 1024 * 1024 }
        return Int(s)
    }
}
