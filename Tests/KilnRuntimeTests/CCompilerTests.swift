import Foundation
import Testing
@testable import KilnRuntime

@Suite struct CCompilerTests {
    @Test func detectsACompilerWithOpenMP() throws {
        let compiler = try SharedCompiler.detected.get()
        #expect(compiler.path.hasPrefix("/"))
        #expect(!compiler.version.isEmpty)
        #expect(compiler.openmpEnabled)
        #expect(compiler.openmpCompileFlags.contains("-fopenmp"))
        #expect(compiler.openmpLinkFlags.contains("-fopenmp"))
        // The probe result was remembered in the cache directory...
        let records = try FileManager.default.contentsOfDirectory(atPath: SharedCompiler.cacheDirectory + "/compilers")
        #expect(!records.isEmpty)
        // ...and a second detection reads it back to the same answer.
        #expect(try CCompiler.detect(environment: testEnvironment(cache: SharedCompiler.cacheDirectory)) == compiler)
    }

    @Test func gccViaCC() throws {
        guard let gcc = Subprocess.findExecutable("gcc", searchPath: ProcessInfo.processInfo.environment["PATH"]) else { return }
        let cache = try makeTemporaryDirectory()
        defer { removeDirectory(cache) }
        let compiler = try CCompiler.detect(environment: testEnvironment(cache: cache, extra: ["CC": "gcc"]))
        #expect(compiler.path == gcc)
        #expect(compiler.family == .gcc)
        #expect(compiler.openmpCompileFlags == ["-fopenmp"])
    }

    @Test func noOpenMPIsRecordedInTheFlags() throws {
        let cache = try makeTemporaryDirectory()
        defer { removeDirectory(cache) }
        let compiler = try CCompiler.detect(environment: testEnvironment(cache: cache, extra: ["KILN_NO_OPENMP": "1"]))
        #expect(!compiler.openmpEnabled)
        #expect(compiler.openmpCompileFlags == ["-DKILN_NO_OPENMP=1"])
        #expect(compiler.openmpLinkFlags.isEmpty)
    }

    @Test func missingCompilers() throws {
        let empty = try makeTemporaryDirectory()
        defer { removeDirectory(empty) }
        #expect(throws: KilnRuntimeError.noCompiler(tried: "$CC=/nonexistent/cc")) {
            try CCompiler.detect(environment: testEnvironment(cache: empty, extra: ["CC": "/nonexistent/cc"]))
        }
        #expect(throws: KilnRuntimeError.noCompiler(tried: "clang, gcc and cc on $PATH")) {
            try CCompiler.detect(environment: testEnvironment(cache: empty, extra: ["PATH": empty]))
        }
        #expect(KilnRuntimeError.noCompiler(tried: "x").description.contains("apt-get install clang"))
    }

    /// A "clang" that identifies itself but cannot compile anything: with `$CC` pointing at
    /// it there is no OpenMP; found on `$PATH` instead, detection falls back to gcc.
    @Test func clangWithoutOpenMP() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let fake = (dir as NSString).appendingPathComponent("clang")
        try """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "fake clang version 99.0.0"; exit 0; fi
            echo "fatal error: 'omp.h' file not found" >&2
            exit 1
            """.write(toFile: fake, atomically: false, encoding: .utf8)
        chmod(fake, 0o755)
        do {
            _ = try CCompiler.detect(environment: testEnvironment(cache: dir, extra: ["CC": fake]))
            Issue.record("expected noOpenMP")
        } catch let KilnRuntimeError.noOpenMP(compiler, detail) {
            #expect(compiler == fake)
            #expect(detail.contains("omp.h"))
            #expect(KilnRuntimeError.noOpenMP(compiler: compiler, detail: detail).description.contains("apt-get install libomp-dev"))
        }

        let realPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        guard let gcc = Subprocess.findExecutable("gcc", searchPath: realPath) else { return }
        let fallback = try CCompiler.detect(environment: testEnvironment(cache: dir, extra: ["PATH": "\(dir):\(realPath)"]))
        #expect(fallback.path == gcc)
        #expect(fallback.family == .gcc)
        #expect(fallback.openmpEnabled)
    }

    @Test func libompCandidatesPreferTheMatchingVersion() throws {
        let root = try makeTemporaryDirectory()
        defer { removeDirectory(root) }
        let fm = FileManager.default
        for (version, header) in [(14, "clang/14.0.6/include"), (17, "clang/17/include"), (21, "clang/21/include"), (9, nil)] {
            let lib = "\(root)/llvm-\(version)/lib"
            try fm.createDirectory(atPath: lib, withIntermediateDirectories: true)
            _ = fm.createFile(atPath: "\(lib)/libomp.so", contents: Data())
            if let header {
                try fm.createDirectory(atPath: "\(lib)/\(header)", withIntermediateDirectories: true)
                _ = fm.createFile(atPath: "\(lib)/\(header)/omp.h", contents: Data())
            }
        }
        let candidates = OpenMPFlags.candidates(family: .clang, clangMajor: 17, llvmRoot: root)
        #expect(candidates.first == .plain)
        #expect(candidates.dropFirst().map(\.link[1]) == ["-L\(root)/llvm-17/lib", "-L\(root)/llvm-21/lib", "-L\(root)/llvm-14/lib"])
        #expect(candidates[1].compile == ["-fopenmp", "-idirafter", "\(root)/llvm-17/lib/clang/17/include"])
        #expect(candidates[1].link == ["-fopenmp", "-L\(root)/llvm-17/lib", "-Wl,-rpath,\(root)/llvm-17/lib"])
        #expect(OpenMPFlags.candidates(family: .gcc, clangMajor: nil, llvmRoot: root) == [.plain])
    }
}
