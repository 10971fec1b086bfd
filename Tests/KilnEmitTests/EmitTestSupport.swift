import Foundation
import Kiln
import Testing

/// The reduced ECA-ResNet of `eca_small_b1.json` (PyTorch golden), the network every emit test
/// builds: small enough to compile in seconds, and it has every kind of kernel ResNets use.
enum SmallModel {
    static let name = "eca_resnet50"
    static let config: [String: [Int]] = ["layers": [1, 1, 2, 1], "width": [8], "num_classes": [10]]
    static let input: Shape = [1, 3, 40, 40]
    static let seed: UInt64 = 1, inputSeed: UInt64 = 2

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// PyTorch's logits for the seeded weights and input.
    static let golden: [Float] = {
        let url = repository.appendingPathComponent("Tests/KilnZooTests/Goldens/eca_small_b1.json")
        let object = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (object["output"] as! [NSNumber]).map(\.floatValue)
    }()

    /// Emits the model into a new temporary folder.
    static func emit(prefix: String = "eca_small", embed: Bool = false) throws -> (dir: URL, report: EmitReport) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-emit-\(prefix)-\(UUID().uuidString)")
        var options = EmitOptions()
        options.prefix = prefix
        options.embedWeights = embed
        let layer = Zoo.entry(named: name)!.build(config)
        let report = try LibraryEmitter.emit(layer, name: name, input: input, weights: SeededWeightSource(seed: seed),
                                             to: dir.path, options: options)
        try writeFloats(SeededWeights.input(shape: input.dims, seed: inputSeed), to: dir.appendingPathComponent("in.f32"))
        return (dir, report)
    }
}

func writeFloats(_ values: [Float], to url: URL) throws {
    try values.withUnsafeBytes { Data($0) }.write(to: url)
}

func readFloats(_ url: URL) throws -> [Float] {
    let data = try Data(contentsOf: url)
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// Runs a shell command in `dir`; returns its exit status and its output (stdout + stderr).
@discardableResult
func shell(_ command: String, in dir: URL, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = dir
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Runs a command that must succeed, recording its output as the failure message otherwise.
func mustRun(_ command: String, in dir: URL, environment: [String: String] = [:],
             sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let (status, output) = try shell(command, in: dir, environment: environment)
    try #require(status == 0, "`\(command)` exited \(status):\n\(output.suffix(3000))", sourceLocation: sourceLocation)
    return output
}

/// clang and the flags that give it Debian's LLVM OpenMP runtime, if both are installed.
enum Clang {
    static let path: String? = ["/opt/swift/usr/bin/clang", "/usr/bin/clang"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let libomp: String? = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib"))?
        .filter { $0.hasPrefix("llvm-") }.sorted().reversed()
        .map { "/usr/lib/\($0)/lib/libomp.so" }.first { FileManager.default.fileExists(atPath: $0) }
}
