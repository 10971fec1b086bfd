import Foundation
import Testing
@testable import KilnRuntime

@Suite struct BuildCacheTests {
    @Test func buildsLoadsAndCaches() throws {
        let compiler = try SharedCompiler.detected.get()
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let cache = BuildCache(directory: dir)
        #expect(cache.note == nil)

        let first = try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"])
        #expect(!first.cacheHit)
        #expect(first.path.hasPrefix(dir))
        let result = try TinyKernel.call(first.path)
        #expect(result.mean == 50.5)
        #expect(result.threads >= 1)

        let second = try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"])
        #expect(second.cacheHit)
        #expect(second.path == first.path)
        // Only the entry and its sidecar remain: the build directory was removed.
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix("compilers") }.sorted()
        #expect(entries == [(first.path as NSString).lastPathComponent, (first.path as NSString).lastPathComponent + ".check"])

        // Anything in the key changes the entry.
        let otherFlags = try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O1"])
        #expect(!otherFlags.cacheHit)
        #expect(otherFlags.path != first.path)
        var edited = TinyKernel.files
        edited["kernels/sum.h"]! += "/* edited */\n"
        let otherSource = try cache.sharedObject(files: edited, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"])
        #expect(!otherSource.cacheHit)
        #expect(otherSource.path != first.path)
    }

    @Test func damagedEntriesAreRebuilt() throws {
        let compiler = try SharedCompiler.detected.get()
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let cache = BuildCache(directory: dir)
        let built = try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"])
        let size = try #require(FileManager.default.attributesOfItem(atPath: built.path)[.size] as? NSNumber).intValue

        // Truncated (as after a crash or full disk).
        #expect(truncate(built.path, off_t(size / 2)) == 0)
        let afterTruncation = try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"])
        #expect(!afterTruncation.cacheHit)
        #expect(try TinyKernel.call(afterTruncation.path).mean == 50.5)

        // Same size, one byte changed.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: built.path))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: built.path))
        #expect(!(try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"]).cacheHit))

        // Sidecar missing.
        try FileManager.default.removeItem(atPath: built.path + ".check")
        #expect(!(try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"]).cacheHit))
        #expect(try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"]).cacheHit)
    }

    @Test func compileErrorsKeepTheDirectory() throws {
        let compiler = try SharedCompiler.detected.get()
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let files = ["good.c": "int good(void) { return 1; }\n", "bad.c": "int bad(void) { return 1 }\n"]
        do {
            _ = try BuildCache(directory: dir).sharedObject(files: files, translationUnits: ["good.c", "bad.c"], compiler: compiler, flags: ["-O2"])
            Issue.record("expected compileFailed")
        } catch let KilnRuntimeError.compileFailed(command, log, directory) {
            #expect(command.hasPrefix(compiler.path))
            #expect(command.contains("-c bad.c"))
            #expect(log.contains("bad.c:1"))
            #expect(log.contains("error"))
            #expect(directory.hasPrefix(dir))
            let kept = try String(contentsOfFile: directory + "/build.log", encoding: .utf8)
            #expect(kept.contains("$ \(command)"))
            #expect(try String(contentsOfFile: directory + "/bad.c", encoding: .utf8) == files["bad.c"])
            let message = KilnRuntimeError.compileFailed(command: command, log: log, directory: directory).description
            #expect(message.contains(directory))
        }
    }

    @Test func concurrentBuildsOfTheSameModelAgree() async throws {
        let compiler = try SharedCompiler.detected.get()
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let cache = BuildCache(directory: dir)
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"]).path
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(paths).count == 1)
        #expect(try cache.sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"]).cacheHit)
        #expect(try TinyKernel.call(paths[0]).mean == 50.5)
    }

    @Test func serialBuildWithoutOpenMP() throws {
        let cacheDir = try makeTemporaryDirectory()
        defer { removeDirectory(cacheDir) }
        let compiler = try CCompiler.detect(environment: testEnvironment(cache: cacheDir, extra: ["KILN_NO_OPENMP": "1"]))
        let built = try BuildCache(directory: cacheDir).sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"])
        let result = try TinyKernel.call(built.path)
        #expect(result.mean == 50.5)
        #expect(result.threads == -1)
    }

    /// Closing a gcc-built model must not unload libgomp (its worker threads outlive it).
    @Test func gccModelsKeepLibgompLoaded() throws {
        guard Subprocess.findExecutable("gcc", searchPath: ProcessInfo.processInfo.environment["PATH"]) != nil else { return }
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let compiler = try CCompiler.detect(environment: testEnvironment(cache: dir, extra: ["CC": "gcc"]))
        let built = try BuildCache(directory: dir).sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: ["-O2"])
        for _ in 0..<3 {
            #expect(try TinyKernel.call(built.path).mean == 50.5)
        }
        let libgomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD)
        #expect(libgomp != nil)
        if let libgomp { dlclose(libgomp) }
    }

    @Test func unwritableDirectoryFallsBackToTemp() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        // A path under a regular file cannot be created, even by root.
        let blocker = try writeFile(Data("x".utf8), "not-a-directory", in: dir)
        let wanted = blocker + "/cache"
        let cache = BuildCache(directory: wanted)
        #expect(cache.directory != wanted)
        #expect(cache.directory.hasPrefix(NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()))
        let note = try #require(cache.note)
        #expect(note.contains(wanted))
        #expect(note.contains(cache.directory))
        #expect(FileManager.default.isWritableFile(atPath: cache.directory))
    }

    @Test func defaultDirectoryFollowsTheEnvironment() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        #expect(BuildCache(environment: ["KILN_CACHE_DIR": dir + "/k", "XDG_CACHE_HOME": dir + "/x", "HOME": dir]).directory == dir + "/k")
        #expect(BuildCache(environment: ["XDG_CACHE_HOME": dir + "/x", "HOME": dir]).directory == dir + "/x/kiln")
        #expect(BuildCache(environment: ["HOME": dir]).directory == dir + "/.cache/kiln")
        #expect(BuildCache(directory: dir + "/explicit", environment: ["KILN_CACHE_DIR": dir + "/k"]).directory == dir + "/explicit")
    }

    @Test func rejectsUnsafeFileNames() throws {
        let compiler = try SharedCompiler.detected.get()
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let cache = BuildCache(directory: dir)
        #expect(throws: KilnRuntimeError.writeFailed(path: "../evil.c", reason: "source file names must be relative paths without '..'")) {
            try cache.sharedObject(files: ["../evil.c": ""], translationUnits: ["../evil.c"], compiler: compiler, flags: [])
        }
        #expect(throws: KilnRuntimeError.writeFailed(path: "b.c", reason: "the translation unit is not among the files to build")) {
            try cache.sharedObject(files: ["a.c": ""], translationUnits: ["b.c"], compiler: compiler, flags: [])
        }
    }

    @Test func sharedLibraryErrors() throws {
        #expect(throws: KilnRuntimeError.self) { try SharedLibrary(path: "/nonexistent/model.so") }
        do {
            _ = try SharedLibrary(path: "/nonexistent/model.so")
        } catch let KilnRuntimeError.dlopenFailed(path, message) {
            #expect(path == "/nonexistent/model.so")
            #expect(message.contains("No such file"))
        }
        let compiler = try SharedCompiler.detected.get()
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let built = try BuildCache(directory: dir).sharedObject(files: TinyKernel.files, translationUnits: TinyKernel.units, compiler: compiler, flags: [])
        let library = try SharedLibrary(path: built.path)
        do {
            _ = try library.symbol("kiln_missing", as: TinyKernel.ThreadsFunction.self)
            Issue.record("expected dlsymFailed")
        } catch let KilnRuntimeError.dlsymFailed(path, symbol, message) {
            #expect(path == built.path)
            #expect(symbol == "kiln_missing")
            #expect(message.contains("kiln_missing"))
        }
        #expect(throws: KilnRuntimeError.self) { try library.symbol("kiln_mean", as: (Int, Int).self) }
    }
}
