import Foundation

/// The machine's theoretical float32 FMA peak, the denominator of `kiln bench`'s "% of peak".
///
/// `peak GFLOP/s = threads × fmaUnits × lanes × 2 flops × GHz`, where
/// - `lanes` comes from the ISA in /proc/cpuinfo's flags: `avx512f` → 16 float32 lanes,
///   `avx2` and `fma` → 8, anything else → 4 (SSE or NEON, counted as if it had FMA);
/// - `fmaUnits` = 2 FMA pipes per core is an assumption, true of Intel cores since Haswell
///   (Xeon Skylake-SP Silver/Bronze have only one 512-bit unit) and AMD Zen 1–4 (Zen 1 and
///   Zen 4 reach 256/512-bit width by pairing or double-pumping). The probe's FMA throughput
///   replaces it when it ran: on Zen 4 with AVX-512 it measures 1.00 FMA a cycle, and the
///   assumed 2 had put the peak at twice what the cores can do;
/// - the clock is the one measured by `Benchmarks/clock_probe.c` (a dependent add chain, one
///   add a cycle) when `kiln bench` could run it, as that is the clock the cores really run at
///   with `threads` of them busy. Otherwise it is the nominal clock: sysfs's
///   `cpuinfo_max_freq` when the kernel exposes it (the maximum turbo clock), else the highest
///   "cpu MHz" line of /proc/cpuinfo. In a VM usually only the latter exists, and it is the
///   base clock, not the turbo clock (2.45 GHz on a machine whose cores ran at 3.24), so a
///   peak from it is understated;
/// - one thread = one core: on a machine with SMT two threads may share a core's FMA units.
///
/// The figure is for orientation (how far from the hardware a kernel is), not a guarantee.
public struct MachinePeak: Sendable, CustomStringConvertible {
    public var cpuModel: String
    /// `AVX-512`, `AVX2+FMA` or `other`.
    public var isa: String
    public var lanes: Int
    public var fmaUnits: Int
    /// The clock from /proc/cpuinfo or sysfs.
    public var nominalGHz: Double
    /// Where `nominalGHz` came from.
    public var nominalSource: String
    public var threads: Int
    /// What `Benchmarks/clock_probe.c` measured, if it ran.
    public var measured: Measurement?

    /// A clock and FMA rate measured by running code (see Benchmarks/clock_probe.c).
    public struct Measurement: Sendable {
        public var ghz: Double
        /// Float32 GFLOP/s of one core issuing independent FMAs (0: not measured).
        public var fmaGFlopsPerThread: Double
        public init(ghz: Double, fmaGFlopsPerThread: Double) {
            self.ghz = ghz
            self.fmaGFlopsPerThread = fmaGFlopsPerThread
        }
    }

    /// The clock the peak uses: the measured one if there is one, else the nominal one.
    public var ghz: Double { measured.flatMap { $0.ghz > 0 ? $0.ghz : nil } ?? nominalGHz }

    /// Where `ghz` came from.
    public var clockSource: String {
        if let m = measured, m.ghz > 0 {
            return String(format: "measured by Benchmarks/clock_probe.c (nominal %.2f GHz from %@)", nominalGHz, nominalSource)
        }
        return nominalSource
    }

    /// FMA instructions a core retired per cycle in the probe (the assumption is 2), if measured.
    public var measuredFMAUnits: Double? {
        guard let m = measured, m.ghz > 0, m.fmaGFlopsPerThread > 0 else { return nil }
        return m.fmaGFlopsPerThread / (m.ghz * Double(lanes * 2))
    }

    /// Reads the host's /proc/cpuinfo and sysfs; `threads` are the cores the run uses.
    public static func host(threads: Int) -> MachinePeak {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var maxFreqKHz: Double?
        if let text = try? String(contentsOfFile: "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", encoding: .utf8) {
            maxFreqKHz = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return parse(cpuinfo: cpuinfo, maxFreqKHz: maxFreqKHz, threads: threads)
    }

    /// The peak described by a /proc/cpuinfo text and an optional sysfs `cpuinfo_max_freq` (kHz).
    public static func parse(cpuinfo: String, maxFreqKHz: Double?, threads: Int) -> MachinePeak {
        var model = "unknown CPU"
        var flags: Set<Substring> = []
        var mhz: [Double] = []
        for line in cpuinfo.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "model name" where model == "unknown CPU": model = value
            case "flags" where flags.isEmpty: flags = Set(value.split(separator: " "))
            case "cpu MHz": if let v = Double(value) { mhz.append(v) }
            default: break
            }
        }
        let (isa, lanes) = flags.contains("avx512f") ? ("AVX-512", 16)
            : (flags.contains("avx2") && flags.contains("fma") ? ("AVX2+FMA", 8) : ("other", 4))
        var ghz = 0.0, source = "unknown (no clock found; peak reported as 0)"
        if let khz = maxFreqKHz, khz > 0 {
            ghz = khz / 1e6
            source = "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"
        } else if let top = mhz.max(), top > 0 {
            ghz = top / 1000
            source = "/proc/cpuinfo \"cpu MHz\" (highest core)"
        }
        return MachinePeak(cpuModel: model, isa: isa, lanes: lanes, fmaUnits: 2, nominalGHz: ghz,
                           nominalSource: source, threads: threads)
    }

    /// FMA instructions a core can issue a cycle: the probe's rate rounded (at least 1) when it
    /// ran, else the assumed `fmaUnits`.
    public var effectiveFMAUnits: Int { measuredFMAUnits.map { max(1, Int($0.rounded())) } ?? fmaUnits }

    /// Float32 flops per second at the peak, in GFLOP/s.
    public var gflops: Double { Double(threads * effectiveFMAUnits * lanes * 2) * ghz }

    /// The derivation, e.g. `2 threads × 2 FMA × 8 lanes × 2 flops × 3.24 GHz = 207.6 GFLOP/s`.
    public var formula: String {
        String(format: "%d thread%@ × %d FMA × %d lanes × 2 flops × %.2f GHz = %.1f GFLOP/s",
               threads, threads == 1 ? "" : "s", effectiveFMAUnits, lanes, ghz, gflops)
    }

    public var description: String {
        var text = "\(cpuModel), \(isa) (\(lanes) float32 lanes), clock \(clockSource): \(formula)"
        if let units = measuredFMAUnits, let m = measured {
            text += String(format: "; the probe ran %.1f GFLOP/s of FMAs per core = %.2f FMA/cycle (%d assumed without the probe)",
                           m.fmaGFlopsPerThread, units, fmaUnits)
        }
        return text
    }
}
