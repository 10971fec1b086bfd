import Kiln
import Testing

/// `kiln bench`'s flop count and machine peak (Sources/Kiln/FlopCount.swift, MachinePeak.swift).
struct FlopCountTests {
    /// GMACs at 1x3x224x224 as published for the official models (shared/models.md).
    static let officialGMACs: [String: Double] = [
        "resnet50": 4.089, "se_resnet50": 4.092, "eca_resnet50": 4.089,
        "epsanet50": 3.598, "epsanet101": 6.788, "sa_resnet50": 4.089,
        "van_b0": 0.864, "van_b1": 2.495, "van_b2": 4.993,
    ]

    /// The conv/linear MACs of every zoo network agree with the published figure to 0.1%
    /// (they match to its last digit: resnet50 4.0892, van_b0 0.86422, epsanet101 6.7881).
    @Test(arguments: Zoo.models.map(\.name))
    func macsMatchPublishedFigures(_ name: String) throws {
        let graph = try Tracer.trace(Zoo.entry(named: name)!.build([:]), name: name, input: [1, 3, 224, 224])
        let gmacs = Double(FlopCount.macs(of: graph)) / 1e9
        let expected = try #require(Self.officialGMACs[name])
        #expect(abs(gmacs - expected) / expected < 0.001, "\(name): \(gmacs) GMACs, published \(expected)")
        // The elementwise term is small next to 2 flops a MAC.
        let flops = Double(FlopCount.of(graph))
        #expect(flops >= 2 * gmacs * 1e9 && flops < 2.05 * gmacs * 1e9, "\(name): \(flops) flops")
    }

    /// Each op's count by the documented convention, on a network small enough to add up by hand.
    @Test func smallNetworkCountsByHand() throws {
        let net = Sequential {
            Conv2d(4, 8, kernelSize: 3, padding: 1)                 // [2, 8, 6, 6]
            BatchNorm2d(8)
            ReLU()
            Conv2d(8, 8, kernelSize: 3, padding: 1, groups: 4, bias: false)
            MaxPool2d(kernelSize: 2)                                // [2, 8, 3, 3]
            AdaptiveAvgPool2d(1)
            Flatten()
            Linear(8, 10)
        }
        let graph = try Tracer.trace(net, name: "small", input: [2, 4, 6, 6])
        let conv1 = 2 * 8 * 36 * (4 * 9), conv2 = 2 * 8 * 36 * (2 * 9), fc = 2 * 10 * 8
        #expect(FlopCount.macs(of: graph) == conv1 + conv2 + fc)
        let elems = 2 * 8 * 36
        let expected = 2 * (conv1 + conv2 + fc)
            + elems            // conv1 bias
            + elems + elems    // batchnorm, relu
            + 2 * 8 * 9 * 4    // max pool: 4 compares per output
            + 2 * 8 * 9        // global average pool: 1 per input
            + 2 * 10           // linear bias
        #expect(FlopCount.of(graph) == expected)
    }

    @Test func peakFromCpuinfo() {
        let cpuinfo = """
            processor\t: 0
            model name\t: AMD EPYC 7B13
            cpu MHz\t\t: 2450.000
            flags\t\t: fpu sse sse2 avx fma avx2
            processor\t: 1
            cpu MHz\t\t: 2500.000
            """
        let peak = MachinePeak.parse(cpuinfo: cpuinfo, maxFreqKHz: nil, threads: 2)
        #expect(peak.cpuModel == "AMD EPYC 7B13")
        #expect(peak.isa == "AVX2+FMA" && peak.lanes == 8)
        #expect(abs(peak.gflops - 2 * 2 * 8 * 2 * 2.5) < 1e-9)
        #expect(peak.clockSource.contains("cpu MHz"))

        let sysfs = MachinePeak.parse(cpuinfo: cpuinfo.replacingOccurrences(of: "avx2", with: "avx2 avx512f"),
                                      maxFreqKHz: 3_500_000, threads: 4)
        #expect(sysfs.lanes == 16 && abs(sysfs.ghz - 3.5) < 1e-9)
        #expect(abs(sysfs.gflops - 4 * 2 * 16 * 2 * 3.5) < 1e-9)
        #expect(MachinePeak.parse(cpuinfo: "flags : neon", maxFreqKHz: nil, threads: 1).lanes == 4)

        // A measured clock (Benchmarks/clock_probe.c) replaces the nominal one.
        var measured = peak
        measured.measured = MachinePeak.Measurement(ghz: 3.2, fmaGFlopsPerThread: 102.4)
        #expect(abs(measured.gflops - 2 * 2 * 8 * 2 * 3.2) < 1e-9)
        #expect(abs((measured.measuredFMAUnits ?? 0) - 2) < 1e-9)
        #expect(measured.clockSource.contains("measured"))
        // One FMA a cycle measured (Zen 4's double-pumped AVX-512) halves the assumed peak.
        var doublePumped = sysfs
        doublePumped.measured = MachinePeak.Measurement(ghz: 3.5, fmaGFlopsPerThread: 112.0)
        #expect(doublePumped.effectiveFMAUnits == 1 && abs(doublePumped.gflops - 4 * 1 * 16 * 2 * 3.5) < 1e-9)
    }
}
