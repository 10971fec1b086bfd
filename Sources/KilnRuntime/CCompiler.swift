import Foundation

/// The C compiler Kiln builds generated code with, and how to get OpenMP from it.
///
/// Found once per run by `detect`: `$CC` if set, else `clang`, `gcc`, `cc` on `$PATH`.
/// OpenMP is verified by compiling and running a probe (remembered in the cache directory),
/// because a compiler that accepts `-fopenmp` but cannot find omp.h or libomp.so at run time
/// is the most common broken setup. `KILN_NO_OPENMP=1` skips OpenMP entirely (serial code);
/// that choice is recorded as `-DKILN_NO_OPENMP=1` in `openmpCompileFlags`, so it is part of
/// every build-cache key and visible to the generated C.
public struct CCompiler: Sendable, Equatable {
    /// Compiler families differ in how OpenMP is found (libomp vs. libgomp).
    public enum Family: String, Sendable {
        case clang
        case gcc
    }

    /// Absolute path of the compiler driver.
    public let path: String
    public let family: Family
    /// First line of `--version`, part of the build-cache key.
    public let version: String
    /// Flags added to every compile (`-fopenmp ...`, or `-DKILN_NO_OPENMP=1`).
    public let openmpCompileFlags: [String]
    /// Flags added when linking the shared object (`-fopenmp -L... -Wl,-rpath,...`).
    public let openmpLinkFlags: [String]
    /// False when built with `KILN_NO_OPENMP=1`.
    public let openmpEnabled: Bool

    public init(path: String, family: Family, version: String, openmpCompileFlags: [String],
                openmpLinkFlags: [String], openmpEnabled: Bool) {
        self.path = path
        self.family = family
        self.version = version
        self.openmpCompileFlags = openmpCompileFlags
        self.openmpLinkFlags = openmpLinkFlags
        self.openmpEnabled = openmpEnabled
    }

    /// Finds a compiler and a working OpenMP setup. `cache` holds the remembered probe
    /// results (default: `BuildCache(environment: environment)`). Falls back from a clang
    /// without libomp to gcc (libgomp) unless `$CC` names the compiler explicitly.
    public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment,
                              cache: BuildCache? = nil) throws -> CCompiler {
        let searchPath = environment["PATH"]
        let explicit = environment["CC"].flatMap { $0.isEmpty ? nil : $0 }
        let identity: (path: String, family: Family, version: String)
        if let explicit {
            guard let path = Subprocess.findExecutable(explicit, searchPath: searchPath),
                  let found = identify(path) else {
                throw KilnRuntimeError.noCompiler(tried: "$CC=\(explicit)")
            }
            identity = found
        } else {
            guard let found = ["clang", "gcc", "cc"].lazy
                .compactMap({ Subprocess.findExecutable($0, searchPath: searchPath) })
                .compactMap(identify).first else {
                throw KilnRuntimeError.noCompiler(tried: "clang, gcc and cc on $PATH")
            }
            identity = found
        }

        if let flag = environment["KILN_NO_OPENMP"], !flag.isEmpty, flag != "0" {
            return CCompiler(path: identity.path, family: identity.family, version: identity.version,
                             openmpCompileFlags: ["-DKILN_NO_OPENMP=1"], openmpLinkFlags: [], openmpEnabled: false)
        }
        let cacheDirectory = (cache ?? BuildCache(environment: environment)).directory
        switch withOpenMP(identity, cacheDirectory: cacheDirectory) {
        case .works(let flags):
            return CCompiler(path: identity.path, family: identity.family, version: identity.version,
                             openmpCompileFlags: flags.compile, openmpLinkFlags: flags.link, openmpEnabled: true)
        case .fails(let detail):
            if identity.family == .clang, explicit == nil,
               let gccPath = Subprocess.findExecutable("gcc", searchPath: searchPath),
               let gcc = identify(gccPath), gcc.family == .gcc,
               case .works(let flags) = withOpenMP(gcc, cacheDirectory: cacheDirectory) {
                return CCompiler(path: gcc.path, family: gcc.family, version: gcc.version,
                                 openmpCompileFlags: flags.compile, openmpLinkFlags: flags.link, openmpEnabled: true)
            }
            throw KilnRuntimeError.noOpenMP(compiler: identity.path, detail: detail)
        }
    }

    /// Probes the OpenMP candidates for one compiler.
    private static func withOpenMP(_ c: (path: String, family: Family, version: String),
                                   cacheDirectory: String) -> OpenMPProbe.Outcome {
        OpenMPProbe.firstWorking(compiler: c.path, version: c.version,
                                 candidates: OpenMPFlags.candidates(family: c.family, clangMajor: clangMajor(c.version)),
                                 cacheDirectory: cacheDirectory, rememberFailure: c.family == .clang)
    }

    /// Runs `--version`; nil if the program does not behave like a C compiler driver.
    private static func identify(_ path: String) -> (path: String, family: Family, version: String)? {
        let result = Subprocess.run(path, ["--version"])
        guard result.status == 0,
              let first = result.output.split(separator: "\n").first.map(String.init) else { return nil }
        return (path, first.lowercased().contains("clang") ? .clang : .gcc, first)
    }

    /// The major version in "… clang version 21.0.0 …", used to prefer the matching libomp.
    private static func clangMajor(_ version: String) -> Int? {
        guard let range = version.range(of: "version ") else { return nil }
        return Int(version[range.upperBound...].prefix(while: \.isNumber))
    }
}
