import Foundation
@testable import KilnRuntime

/// One compiler detection shared by the build tests (each probe costs a compile), made with
/// its own temporary cache directory.
enum SharedCompiler {
    static let cacheDirectory: String = {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("kiln-rt-test-compilers-\(getuid())")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static let detected: Result<CCompiler, Error> = Result {
        try CCompiler.detect(environment: testEnvironment(cache: cacheDirectory))
    }
}

/// A small two-file OpenMP program: a parallel reduction and a thread count, with a header
/// in a subdirectory to exercise relative include paths.
enum TinyKernel {
    static let files: [String: String] = [
        "kernels/sum.h": "float kiln_sum(const float *x, int n);\n",
        "kernels/sum.c": """
            #include "sum.h"
            float kiln_sum(const float *x, int n) {
                float s = 0;
                #pragma omp parallel for reduction(+:s)
                for (int i = 0; i < n; i++) s += x[i];
                return s;
            }
            """,
        "model.c": """
            #include "kernels/sum.h"
            #ifdef _OPENMP
            #include <omp.h>
            #endif
            int kiln_threads(void) {
            #ifdef _OPENMP
                return omp_get_max_threads();
            #else
                return -1;
            #endif
            }
            float kiln_mean(const float *x, int n) { return kiln_sum(x, n) / (float)n; }
            """,
    ]
    static let units = ["model.c", "kernels/sum.c"]

    typealias MeanFunction = @convention(c) (UnsafePointer<Float>?, Int32) -> Float
    typealias ThreadsFunction = @convention(c) () -> Int32

    /// Loads the library, calls both functions, returns (mean of 1...100, thread count).
    static func call(_ path: String) throws -> (mean: Float, threads: Int32) {
        let library = try SharedLibrary(path: path)
        let mean = try library.symbol("kiln_mean", as: MeanFunction.self)
        let threads = try library.symbol("kiln_threads", as: ThreadsFunction.self)
        let values = (1...100).map(Float.init)
        let result = values.withUnsafeBufferPointer { mean($0.baseAddress, Int32($0.count)) }
        return (result, threads())
    }
}
