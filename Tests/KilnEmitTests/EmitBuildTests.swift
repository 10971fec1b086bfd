import Foundation
import Kiln
import Testing

extension EmitSuite {
    /// `kiln emit` output built the ways users build it (Makefile + gcc, CMake + clang, no
    /// OpenMP, sanitizers, Python ctypes), each run checked against PyTorch's golden logits.
    @Suite struct EmitBuildTests {
        /// One gcc build with warnings as errors, shared by the tests that only read it.
        static let gccBuild: Result<URL, any Error> = Result {
            let (dir, _) = try SmallModel.emit()
            _ = try mustRun("make CC=gcc CFLAGS='-O3 -Wall -Wextra -Werror'", in: dir)
            return dir
        }

        @Test func makeWithGCCMatchesPyTorch() throws {
            let dir = try Self.gccBuild.get()
            let output = try mustRun("./example/eca_small_example eca_small.weights in.f32 out.f32", in: dir)
            #expect(output.contains("image 0: top-5 8 (0.3526)"), "\(output)")
            let diff = maxAbsDiff(try readFloats(dir.appendingPathComponent("out.f32")), SmallModel.golden)
            #expect(diff < 1e-4, "max abs diff \(diff)")
        }

        /// The default build fixes no instruction set: only the `_avx2` twins of the parts, which
        /// run behind a CPU check, use AVX registers.
        @Test func defaultBuildIsPortable() throws {
            let dir = try Self.gccBuild.get()
            let generic = try mustRun("objdump -d src/model.o src/part0?.o | grep -c '%[yz]mm' || true", in: dir)
            #expect(generic.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            let avx2 = try mustRun("objdump -d src/part01_avx2.o | grep -c 'vfmadd...ps.*%ymm' || true", in: dir)
            #expect((Int(avx2.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0)
        }

        /// The same binary on an emulated CPU without AVX (the SSE2 code) and with AVX2 (its twin).
        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-x86_64")))
        func runsOnCPUsWithAndWithoutAVX2() throws {
            let dir = try Self.gccBuild.get()
            for cpu in ["Nehalem", "Haswell"] {
                _ = try mustRun("qemu-x86_64 -cpu \(cpu) ./example/eca_small_example eca_small.weights in.f32 \(cpu).f32 2>/dev/null", in: dir)
                let diff = maxAbsDiff(try readFloats(dir.appendingPathComponent("\(cpu).f32")), SmallModel.golden)
                #expect(diff < 1e-4, "\(cpu): max abs diff \(diff)")
            }
        }

        /// Every symbol the library defines for others starts with the prefix.
        @Test func exportedSymbolsArePrefixed() throws {
            let dir = try Self.gccBuild.get()
            let symbols = try mustRun("nm -g --defined-only libeca_small.a | awk 'NF == 3 { print $3 }'", in: dir)
                .split(separator: "\n").map(String.init)
            #expect(symbols.contains("eca_small_run") && symbols.contains("eca_small_run_checked"))
            #expect(symbols.filter { !$0.hasPrefix("eca_small_") }.isEmpty, "\(symbols)")
        }

        @Test func pythonCtypesGetsTheSameLogits() throws {
            let dir = try Self.gccBuild.get()
            let golden = SmallModel.repository.appendingPathComponent("Tests/KilnZooTests/Goldens/eca_small_b1.json").path
            let script = SmallModel.repository.appendingPathComponent("Tests/KilnEmitTests/ctypes_check.py").path
            let output = try mustRun("python3 '\(script)' libeca_small.so eca_small eca_small.weights in.f32 '\(golden)'", in: dir)
            #expect(output.contains(" 0 failed"), "\(output)")
        }

        /// No OpenMP and no AVX2 twins: the single-threaded generic code on this CPU.
        @Test func makeWithoutOpenMP() throws {
            let (dir, _) = try SmallModel.emit()
            _ = try mustRun("make CC=gcc OPENMP=0 DISPATCH=0 CFLAGS='-O1 -Wall -Wextra -Werror' example/eca_small_example", in: dir)
            let output = try mustRun("./example/eca_small_example eca_small.weights in.f32 out.f32", in: dir)
            #expect(output.contains("1 threads"), "\(output)")
            #expect(maxAbsDiff(try readFloats(dir.appendingPathComponent("out.f32")), SmallModel.golden) < 1e-4)
            let linked = try mustRun("ldd example/eca_small_example", in: dir)
            #expect(!linked.contains("omp"), "\(linked)")
        }

        @Test func cmakeWithClang() throws {
            guard let clang = Clang.path else { return }
            let (dir, _) = try SmallModel.emit()
            let openmp = Clang.libomp.map { "-DOpenMP_C_FLAGS=-fopenmp -DOpenMP_C_LIB_NAMES=omp -DOpenMP_omp_LIBRARY=\($0)" } ?? ""
            _ = try mustRun("cmake -S . -B build -DCMAKE_C_COMPILER=\(clang) -DCMAKE_C_FLAGS='-Wall -Wextra -Werror' \(openmp)"
                            + " && cmake --build build -j 2", in: dir)
            let output = try mustRun("./build/eca_small_example eca_small.weights in.f32 out.f32", in: dir)
            #expect(output.contains("image 0: top-5 8"), "\(output)")
            #expect(maxAbsDiff(try readFloats(dir.appendingPathComponent("out.f32")), SmallModel.golden) < 1e-4)
        }

        /// ASan + UBSan (and LeakSanitizer at exit) on a good run and on each kind of bad file;
        /// inputs of another length or (`-s`) shape are refused by `eca_small_run_checked`.
        @Test func sanitizersOnGoodAndBadInput() throws {
            let (dir, _) = try SmallModel.emit()
            let san = "-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror"
            _ = try mustRun("make CC=gcc CFLAGS='\(san)' example/eca_small_example", in: dir)
            _ = try mustRun("./example/eca_small_example eca_small.weights in.f32 out.f32", in: dir, environment: ["OMP_NUM_THREADS": "2"])
            #expect(maxAbsDiff(try readFloats(dir.appendingPathComponent("out.f32")), SmallModel.golden) < 1e-4)
            _ = try mustRun("head -c 1000 eca_small.weights > short.weights && cp eca_small.weights bad.weights"
                            + " && printf 'X' | dd of=bad.weights bs=1 seek=2000 conv=notrunc 2>/dev/null"
                            + " && head -c 100 in.f32 > short.f32 && head -c 3072 in.f32 > small.f32 && head -c 3 in.f32 > odd.f32", in: dir)
            let cases = [
                ("none.weights in.f32", "ECA_SMALL_ERR_IO: cannot open weights file 'none.weights'"),
                ("short.weights in.f32", "ECA_SMALL_ERR_SIZE: weights file 'short.weights' is 1000 bytes, but its header says"),
                ("bad.weights in.f32", "ECA_SMALL_ERR_CHECKSUM: weights file 'bad.weights' is damaged"),
                ("in.f32 in.f32", "ECA_SMALL_ERR_FORMAT: weights file 'in.f32' is not a Kiln weights file"),
                ("embedded in.f32", "ECA_SMALL_ERR_ARGUMENT: model 'eca_resnet50' was emitted without --embed-weights"),
                ("eca_small.weights short.f32", "ECA_SMALL_ERR_SIZE: the input buffer holds 25 floats, but shape [1, 3, 40, 40] is 4800"
                    + " floats (input file 'short.f32')"),
                ("eca_small.weights odd.f32", "input 'odd.f32' is not a whole number of float32 values"),
                ("-s 1x3x16x16 eca_small.weights small.f32", "ECA_SMALL_ERR_SHAPE: input [1, 3, 16, 16] is 16x16 (height x width);"
                    + " model 'eca_resnet50' was compiled for 40x40: shapes are static, so re-emit it with kiln emit --height 16 --width 16"
                    + " (input file 'small.f32')"),
                ("-s 3x40x40 eca_small.weights in.f32", "ECA_SMALL_ERR_SHAPE: input has rank 3 [3, 40, 40]; model 'eca_resnet50'"
                    + " expects rank 4 NCHW [1, 3, 40, 40]"),
                ("-s 1x4x40x40 eca_small.weights in.f32", "ECA_SMALL_ERR_SHAPE: input [1, 4, 40, 40] has 4 channels (dim 1);"
                    + " model 'eca_resnet50' expects 3 channels: NCHW [1, 3, 40, 40]"),
                ("-s 0x3x40x40 eca_small.weights in.f32", "ECA_SMALL_ERR_SHAPE: input [0, 3, 40, 40] has batch 0 (dim 0), an empty batch"),
                ("-s 2x3x40x40 eca_small.weights in.f32", "ECA_SMALL_ERR_SHAPE: input [2, 3, 40, 40] has batch 2 (dim 0); model"
                    + " 'eca_resnet50' was compiled for batch 1: shapes are static, so re-emit it with kiln emit --batch 2"),
            ]
            for (arguments, message) in cases {
                let (status, output) = try shell("./example/eca_small_example \(arguments)", in: dir)
                #expect(status == 1 && output.contains(message) && !output.contains("Sanitizer"), "\(arguments): \(output)")
            }
            // The model's own shape given explicitly runs as without -s; a malformed -s is a usage error.
            _ = try mustRun("./example/eca_small_example -s 1x3x40x40 eca_small.weights in.f32 s.f32", in: dir)
            #expect(try readFloats(dir.appendingPathComponent("s.f32")) == (try readFloats(dir.appendingPathComponent("out.f32"))))
            let (status, usage) = try shell("./example/eca_small_example -s 1x3x40by40 eca_small.weights in.f32", in: dir)
            #expect(status == 2 && usage.contains("usage:"), "\(usage)")
        }

        @Test func embeddedWeights() throws {
            let (dir, report) = try SmallModel.emit(embed: true)
            #expect(report.embedded && report.translationUnits.contains("src/weights.c"))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("eca_small.weights").path))
            _ = try mustRun("make CC=gcc CFLAGS='-O1 -Wall -Wextra -Werror' example/eca_small_example", in: dir)
            _ = try mustRun("./example/eca_small_example embedded in.f32 out.f32", in: dir)
            #expect(maxAbsDiff(try readFloats(dir.appendingPathComponent("out.f32")), SmallModel.golden) < 1e-4)
        }

        /// Two emitted models in one C program: no symbol clashes, both give the golden logits.
        @Test func twoModelsLinkIntoOneProgram() throws {
            let (a, _) = try SmallModel.emit(prefix: "net_a")
            let (b, _) = try SmallModel.emit(prefix: "net_b")
            for dir in [a, b] {
                _ = try mustRun("make CC=gcc CFLAGS='-O1 -Wall -Wextra -Werror' lib$(basename $(ls *.h) .h).a", in: dir)
            }
            let program = """
                #include "\(a.path)/net_a.h"
                #include "\(b.path)/net_b.h"
                #include <stdio.h>
                #include <string.h>
                int main(int argc, char** argv) {
                    static float x[4800], ya[10], yb[10];
                    FILE* f = fopen(argv[1], "rb");
                    if (argc < 4 || !f || fread(x, 4, 4800, f) != 4800) return 2;
                    fclose(f);
                    net_a_ctx* ca = NULL; net_b_ctx* cb = NULL;
                    if (net_a_create_from_file(argv[2], &ca) != NET_A_OK || net_b_create_from_file(argv[3], &cb) != NET_B_OK) return 3;
                    const int64_t shape[4] = {1, 3, 40, 40}, wrong[4] = {1, 3, 40, 41};
                    if (net_a_run(ca, x, ya) != NET_A_OK || net_b_run_checked(cb, x, 4800, shape, 4, yb, 10) != NET_B_OK) return 4;
                    if (net_a_run_checked(ca, x, 4800, wrong, 4, ya, 10) != NET_A_ERR_SHAPE) return 5;
                    if (strcmp(net_a_status_name(NET_A_ERR_SHAPE), "NET_A_ERR_SHAPE") != 0) return 6;
                    for (int i = 0; i < 10; i++) printf("%.9g %.9g\\n", ya[i], yb[i]);
                    net_a_free(ca); net_b_free(cb);
                    return 0;
                }
                """
            try program.write(to: a.appendingPathComponent("both.c"), atomically: true, encoding: .utf8)
            let output = try mustRun("gcc -std=c11 -Wall -Wextra -Werror -fopenmp both.c libnet_a.a '\(b.path)/libnet_b.a' -lm -o both"
                                     + " && ./both in.f32 net_a.weights '\(b.path)/net_b.weights'", in: a)
            let rows = output.split(separator: "\n").map { $0.split(separator: " ").compactMap { Float($0) } }
            #expect(rows.count == 10 && rows.allSatisfy { $0.count == 2 && $0[0] == $0[1] }, "\(output)")
            #expect(maxAbsDiff(rows.map { $0.first ?? .infinity }, SmallModel.golden) < 1e-4)
        }
    }
}
