import Foundation

/// One way of asking a compiler for OpenMP: the flags to add when compiling and when linking.
///
/// Clang needs LLVM's libomp, which Debian's `libomp-dev` installs under /usr/lib/llvm-N/lib
/// (N varies by release), where a clang not from that package (e.g. the one shipped with
/// Swift) does not look. `candidates` lists the ways worth probing, best first.
struct OpenMPFlags: Equatable, Sendable {
    var compile: [String]
    var link: [String]

    /// Plain `-fopenmp`: right for gcc (libgomp) and for a clang whose libomp is on the
    /// default paths.
    static let plain = OpenMPFlags(compile: ["-fopenmp"], link: ["-fopenmp"])

    /// Candidate flag sets for `family`; for clang, plain first, then every installed
    /// /usr/lib/llvm-N with libomp.so and omp.h, the one matching `clangMajor` first, then
    /// newest first. omp.h's directory is added with `-idirafter` rather than `-I`: it is
    /// that LLVM's builtin-header directory, and its stddef.h/immintrin.h must not shadow
    /// the running clang's own.
    static func candidates(family: CCompiler.Family, clangMajor: Int?, llvmRoot: String = "/usr/lib") -> [OpenMPFlags] {
        guard family == .clang else { return [.plain] }
        let fm = FileManager.default
        let versions = ((try? fm.contentsOfDirectory(atPath: llvmRoot)) ?? [])
            .compactMap { name -> Int? in name.hasPrefix("llvm-") ? Int(name.dropFirst(5)) : nil }
            .sorted { ($0 == clangMajor ? 1 : 0, $0) > ($1 == clangMajor ? 1 : 0, $1) }
        var result: [OpenMPFlags] = [.plain]
        for version in versions {
            let lib = "\(llvmRoot)/llvm-\(version)/lib"
            guard fm.fileExists(atPath: "\(lib)/libomp.so") else { continue }
            let includeDirs = ((try? fm.contentsOfDirectory(atPath: "\(lib)/clang")) ?? []).sorted()
                .map { "\(lib)/clang/\($0)/include" } + ["\(llvmRoot)/llvm-\(version)/include", "/usr/include/llvm-\(version)"]
            guard let include = includeDirs.first(where: { fm.fileExists(atPath: "\($0)/omp.h") }) else { continue }
            result.append(OpenMPFlags(compile: ["-fopenmp", "-idirafter", include],
                                      link: ["-fopenmp", "-L\(lib)", "-Wl,-rpath,\(lib)"]))
        }
        return result
    }
}
