import ArgumentParser
import Foundation
import Kiln

struct Emit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model as a standalone C library (header, sources, weights, Makefile, CMake).",
        discussion: """
            The folder builds with `make` (gcc or clang, OpenMP optional) into lib<NAME>.a/.so and an
            example program; see its README.md. The weights are prepared (BatchNorm folded, packed) and
            written as <NAME>.weights, or compiled in with --embed-weights (small models only).
            --threads sets the thread count the schedule is tuned for (default 4; the library runs
            with any count).
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: "Weights as safetensors with the model's PyTorch state_dict keys.")
    var weights: String?
    @Flag(help: "Use deterministic random weights (see --seed) instead of a file.")
    var randomWeights = false
    @Option(help: "Seed of the random weights.")
    var seed: UInt64 = 1
    @Option(help: "Output folder (created; an earlier emit's files in it are replaced).")
    var out: String
    @Option(help: "Batch size the library is compiled for.")
    var batch = 1
    @Option(help: "Input height.")
    var height = 224
    @Option(help: "Input width.")
    var width = 224
    @Option(help: "Prefix of the C symbols and file names (default: the model name).")
    var name: String?
    @Flag(help: "Compile the weights into the library (refused above 8 MiB).")
    var embedWeights = false
    @Option(help: "portable (default: any CPU of the architecture, SIMD width from the compiler flags) or native.")
    var targetCpu: EmitOptions.TargetCPU = .portable

    func validate() throws {
        guard randomWeights != (weights != nil) else {
            throw ValidationError("give either --weights FILE or --random-weights")
        }
        guard batch > 0, height > 0, width > 0 else { throw ValidationError("--batch, --height and --width must be positive") }
        if let threads = options.threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if options.tune && targetCpu == .portable {
            throw ValidationError("--tune measures this CPU, and portable output takes no tuned schedules; add --target-cpu native")
        }
    }

    func run() throws {
        let layer = try options.layer()
        var emit = EmitOptions()
        emit.prefix = name
        emit.embedWeights = embedWeights
        emit.targetCPU = targetCpu
        emit.threads = options.threads
        emit.commandLine = (["kiln"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let compileOptions = try options.compileOptions(tuningFor: [batch, 3, height, width])
        emit.log = compileOptions.log
        emit.tuning = compileOptions.tuning
        let source: WeightSource = randomWeights ? SeededWeightSource(seed: seed) : try SafetensorsWeightSource(path: weights!)
        let start = Date()
        let report = try LibraryEmitter.emit(layer, name: options.model, input: [batch, 3, height, width],
                                             weights: source, to: out, options: emit)
        print("wrote \(report.files.count) files to \(report.directory) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        print("library \(report.prefix): \(report.translationUnits.count) translation units, arena \(report.arenaBytes) bytes")
        print("weights: \(report.weightsBytes) bytes \(report.embedded ? "compiled in (src/weights.c)" : "in \(report.prefix).weights")")
        print("build: make -C \(report.directory)")
    }
}

extension EmitOptions.TargetCPU: ExpressibleByArgument {}
