import Foundation

/// What identifies the host CPU for caching: builds use `-march=native`, so an object built
/// on one CPU may not run on another that shares the cache directory (NFS home, copied
/// ~/.cache, a container image built elsewhere).
enum HostCPU {
    /// The first "model name" and "flags" lines of /proc/cpuinfo (and the ARM equivalents),
    /// computed once per process.
    static let signature: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown-cpu" }
        let wanted = ["model name", "flags", "Features", "CPU implementer", "CPU architecture", "CPU part"]
        var found: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            if wanted.contains(name), found[name] == nil {
                found[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return wanted.compactMap { name in found[name].map { "\(name): \($0)" } }.joined(separator: "\n")
    }()
}
