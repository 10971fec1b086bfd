import Foundation
import KilnIR
import KilnRuntime

/// The schedules `--tune` measured faster than the schedule pass's own pick, by target and
/// by layer (`ScheduleKernels.layerKey`), so later compiles of any network with a layer of
/// that shape reuse them. JSON, one file per cache folder by default:
///
///     {"format": "kiln-tuning-1", "targets": {"<CPU> | native, 16 floats/vector, ...": {
///         "conv2d[64, 1x1/1 p0 d1 g1 relu] k1x1 ... [1, 256, 56, 56] -> [1, 64, 56, 56]":
///             {"schedule": {"gemm": {"rows": 8, "cols": 32, ...}}, "ms": 0.41, "defaultMs": 0.45}}}}
public struct TuningFile: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var schedule: Schedule
        /// Per-run time of the layers with this key, tuned and with the pass's own schedule.
        public var ms: Double
        public var defaultMs: Double

        public init(schedule: Schedule, ms: Double, defaultMs: Double) {
            self.schedule = schedule
            self.ms = ms
            self.defaultMs = defaultMs
        }
    }

    public static let currentFormat = "kiln-tuning-1"
    public var format = TuningFile.currentFormat
    public var targets: [String: [String: Entry]] = [:]

    public init() {}

    /// `tuning.json` in the build cache folder (`$KILN_CACHE_DIR`, `$XDG_CACHE_HOME/kiln` or `~/.cache/kiln`).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (BuildCache.defaultDirectory(environment) as NSString).appendingPathComponent("tuning.json")
    }

    /// The file at `path`, or an empty one if there is none.
    public static func load(_ path: String) throws -> TuningFile {
        guard FileManager.default.fileExists(atPath: path) else { return TuningFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KilnError.tuningFile(path: path, problem: "cannot be read")
        }
        let file: TuningFile
        do {
            file = try JSONDecoder().decode(TuningFile.self, from: data)
        } catch {
            throw KilnError.tuningFile(path: path, problem: "is not a Kiln tuning file (\(Self.reason(error))); delete it or tune again with --tune")
        }
        guard file.format == currentFormat else {
            throw KilnError.tuningFile(path: path, problem: "has format '\(file.format)', this Kiln reads '\(currentFormat)'")
        }
        return file
    }

    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw KilnError.tuningFile(path: path, problem: "cannot be written (\(error.localizedDescription))")
        }
    }

    /// The tuned schedules for code generated for `target`, by layer key.
    public func schedules(for target: Target) -> [String: Schedule] {
        (targets[Self.targetKey(target)] ?? [:]).mapValues(\.schedule)
    }

    /// A target's entries hold for one CPU model: with `-march=native` its name is part of the key.
    public static func targetKey(_ target: Target) -> String {
        guard target.march == "native" else { return target.description }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(model) | \(target.description)"
    }

    private static func reason(_ error: Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted(let c)?: return c.debugDescription
        case .keyNotFound(let key, let c)?: return "no '\(key.stringValue)' at \(path(c))"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?: return "\(c.debugDescription) at \(path(c))"
        default: return error.localizedDescription
        }
    }

    private static func path(_ c: DecodingError.Context) -> String {
        c.codingPath.isEmpty ? "the top level" : c.codingPath.map(\.stringValue).joined(separator: ".")
    }
}
