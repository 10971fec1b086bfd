import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory of compiled shared objects, keyed by everything that affects the build.
///
/// Compiling a large model's C takes seconds to minutes; the cache makes the second run of
/// the same model instant. The key covers the compiler (path, version, OpenMP flags), the
/// caller's flags, the host CPU (flags usually include `-march=native`) and every source
/// file's name and content. Entries are published with rename(2), so concurrent processes
/// never load a half-written .so, and verified against a size+hash sidecar on every hit, so
/// a damaged entry is rebuilt instead of crashing `dlopen`.
public struct BuildCache: Sendable {
    /// Where entries live (possibly a temporary fallback, see `note`).
    public let directory: String
    /// Set when the requested directory was not writable and a temporary one is used
    /// instead; callers should show it, since nothing will be cached across runs.
    public let note: String?

    /// Uses `directory`, else `$KILN_CACHE_DIR`, else `$XDG_CACHE_HOME/kiln`, else `~/.cache/kiln`.
    public init(directory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let wanted = directory ?? Self.defaultDirectory(environment)
        guard let problem = Self.makeWritable(wanted) else {
            self.directory = wanted
            self.note = nil
            return
        }
        var fallback = (NSTemporaryDirectory() as NSString).appendingPathComponent("kiln-cache-\(getuid())")
        if Self.makeWritable(fallback) != nil {
            fallback = (NSTemporaryDirectory() as NSString).appendingPathComponent("kiln-cache-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
            _ = Self.makeWritable(fallback)
        }
        self.directory = fallback
        self.note = "The Kiln cache directory \(wanted) is not writable (\(problem)), so \(fallback) is used instead."
    }

    /// Returns the path of a shared object built from `files` (relative path → content),
    /// compiling the `translationUnits` among them and linking them with `-shared`, or the
    /// cached one if an intact entry with the same key exists. `flags` go to every compile
    /// and link command (the cache adds only `-fPIC`, `-shared` and the compiler's OpenMP
    /// flags). Compile errors throw `compileFailed`, keeping the build directory.
    /// `progress` hears about each translation unit as it finishes (never on a cache hit).
    public func sharedObject(files: [String: String], translationUnits: [String], compiler: CCompiler,
                             flags: [String], progress: (@Sendable (String) -> Void)? = nil) throws -> (path: String, cacheHit: Bool) {
        for name in files.keys.sorted() {
            guard Self.isSafeRelativePath(name) else {
                throw KilnRuntimeError.writeFailed(path: name, reason: "source file names must be relative paths without '..'")
            }
        }
        for unit in translationUnits where files[unit] == nil {
            throw KilnRuntimeError.writeFailed(path: unit, reason: "the translation unit is not among the files to build")
        }
        let key = Self.key(files: files, translationUnits: translationUnits, compiler: compiler, flags: flags)
        let target = (directory as NSString).appendingPathComponent("\(key).so")
        let sidecar = target + ".check"
        if CacheEntryCheck.isIntact(sharedObject: target, sidecar: sidecar) {
            return (target, true)
        }
        let buildDirectory = (directory as NSString).appendingPathComponent("build-\(key)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        let build = CBuild(directory: buildDirectory, compiler: compiler, flags: flags, progress: progress)
        let built = try build.run(files: files, translationUnits: translationUnits)
        guard let check = CacheEntryCheck.sidecar(for: built) else {
            throw KilnRuntimeError.writeFailed(path: built, reason: "the linked shared object cannot be read back")
        }
        let stagedSidecar = AtomicFile.uniqueSibling(of: sidecar)
        do {
            try check.write(toFile: stagedSidecar, atomically: false, encoding: .utf8)
        } catch {
            throw KilnRuntimeError.writeFailed(path: sidecar, reason: error.localizedDescription)
        }
        try AtomicFile.rename(stagedSidecar, to: sidecar)
        try AtomicFile.rename(built, to: target)
        try? FileManager.default.removeItem(atPath: buildDirectory)
        return (target, false)
    }

    /// The 32-hex-digit cache key.
    static func key(files: [String: String], translationUnits: [String], compiler: CCompiler, flags: [String]) -> String {
        var hash = StableHash()
        hash.update("kiln-build-cache-v1")
        hash.update(compiler.path)
        hash.update(compiler.version)
        hash.update(compiler.openmpCompileFlags)
        hash.update(compiler.openmpLinkFlags)
        hash.update(flags)
        hash.update(HostCPU.signature)
        hash.update(translationUnits)
        hash.update(files.count)
        for name in files.keys.sorted() {
            hash.update(name)
            hash.update(files[name] ?? "")
        }
        return hash.hex
    }

    public static func defaultDirectory(_ environment: [String: String]) -> String {
        if let dir = environment["KILN_CACHE_DIR"], !dir.isEmpty { return dir }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return (xdg as NSString).appendingPathComponent("kiln") }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".cache/kiln")
    }

    /// Creates `path` if needed and proves it writable by creating a file in it; returns
    /// why not, or nil if it is usable. (Checks by writing, since `access` lies for root.)
    private static func makeWritable(_ path: String) -> String? {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            return "cannot create it: \(error.localizedDescription)"
        }
        let probe = (path as NSString).appendingPathComponent(".write-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        close(fd)
        unlink(probe)
        return nil
    }

    private static func isSafeRelativePath(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return !name.hasPrefix("/") && !parts.isEmpty && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
