import Foundation
import KilnCodegen
import KilnDSL
import KilnIR
import KilnPasses
import KilnRuntime

/// Options for turning a network into a loaded shared object.
public struct CompileOptions: Sendable {
    /// Threads the schedule is tuned for (the run-time count can differ); default: all cores.
    public var threads: Int?
    /// Build cache folder; default `$KILN_CACHE_DIR`, `$XDG_CACHE_HOME/kiln` or `~/.cache/kiln`.
    public var cacheDirectory: String?
    /// Receives pass timings and build notes (`KILN_DEBUG`-style logging); `nil` is silent.
    public var log: (@Sendable (String) -> Void)?
    /// Also send the IR after each pass that changed it to `log`.
    public var dumpIR = false
    /// Compile only up to this module (`layer1.0.conv2`) and return its output instead of the
    /// network's, to compare one layer with PyTorch.
    public var outputLayer: String?
    /// Time every kernel call (see `CompiledModel.profile()`); adds timers to the C.
    public var profile = false
    /// Let the schedule pass pick Winograd F(4×4, 3×3) for 3×3 stride-1 convs (see `ScheduleKernels`).
    public var winograd = true
    /// Let the split-batch pass run early layers once per sample at batch > 1 (see `SplitBatch`).
    public var splitBatch = true
    /// The last-level cache size the split-batch pass plans for; default: the host's. A tiny
    /// value puts as many layers in the sample loop as the traffic model allows (for tests).
    public var splitBatchCacheBytes: Int?
    /// Schedules measured by `--tune`; its entries for the target being compiled for replace
    /// the schedule pass's own picks for layers of the same shape.
    public var tuning: TuningFile?
    /// Hears about C compilation as each translation unit finishes (for a progress display).
    public var progress: (@Sendable (String) -> Void)?

    public init(threads: Int? = nil, cacheDirectory: String? = nil, log: (@Sendable (String) -> Void)? = nil) {
        self.threads = threads
        self.cacheDirectory = cacheDirectory
        self.log = log
    }
}

/// DSL → IR → passes → C → shared object.
public enum ModelCompiler {
    /// Traces `layer` on an input of shape `input` and runs the pass pipeline.
    public static func lower(_ layer: some Layer, name: String, input: Shape, target: Target,
                             options: CompileOptions = CompileOptions()) throws -> Graph {
        try lowerCountingTuned(layer, name: name, input: input, target: target, options: options).graph
    }

    /// `lower`, and how many convolutions took their schedule from the tuning file.
    static func lowerCountingTuned(_ layer: some Layer, name: String, input: Shape, target: Target,
                                   options: CompileOptions) throws -> (graph: Graph, tuned: Int) {
        guard input.rank == 4 else {
            throw KilnError.invalidInput("the input must be 4-D NCHW, got shape \(input)")
        }
        guard input.dims.allSatisfy({ $0 > 0 }) else {
            throw KilnError.invalidInput("every dimension of the input must be positive, got \(input)")
        }
        var traced = try Tracer.trace(layer, name: name, input: input)
        if let path = options.outputLayer { traced = try truncated(traced, at: path) }
        let tuned = options.tuning?.schedules(for: target) ?? [:]
        var target = target
        if let bytes = options.splitBatchCacheBytes { target.cacheBytes = bytes }
        let pipeline = Pipeline.standard(target: target, winograd: options.winograd, splitBatch: options.splitBatch, tuned: tuned)
        let graph = try pipeline.run(traced, log: options.log, dumpIR: options.dumpIR)
        guard !tuned.isEmpty else { return (graph, 0) }
        let (count, of) = tunedConvolutions(graph, tuned)
        options.log?("tuning file: \(count) of \(of) convolutions on tuned schedules")
        return (graph, count)
    }

    /// How many of the graph's scheduled convolutions took their schedule from `tuned`.
    static func tunedConvolutions(_ graph: Graph, _ tuned: [String: Schedule]) -> (count: Int, of: Int) {
        let layers = ScheduleKernels.scheduledConvolutions(graph)
        return (layers.filter { tuned[$0.key] == graph.nodes[$0.id].schedule }.count, layers.count)
    }

    /// The graph cut after the last node of module `path` (the module's output).
    static func truncated(_ g: Graph, at path: String) throws -> Graph {
        guard let last = g.nodes.indices.last(where: { g.nodes[$0].name == path || g.nodes[$0].name.hasPrefix(path + ".") }),
              last > 0 else {
            let modules = Set(g.nodes.map(\.name)).filter { !$0.isEmpty && $0 != "input" }
            let near = modules.filter { $0.hasPrefix(path.split(separator: ".").first.map(String.init) ?? path) }.sorted().prefix(5)
            throw KilnError.unknownLayer(path: path, nearby: Array(near))
        }
        var cut = g
        cut.output = last
        return cut.compacted()
    }

    /// Compiles and loads `layer` for inputs of shape `input`, reusing a cached build if the C is unchanged.
    public static func compile(_ layer: some Layer, name: String, input: Shape,
                               options: CompileOptions = CompileOptions()) throws -> CompiledModel {
        let start = Date()
        let target = Target.host(threads: options.threads)
        let (graph, tuned) = try lowerCountingTuned(layer, name: name, input: input, target: target, options: options)
        let banner = ["Generated by Kiln for model '\(name)', input \(input). Do not edit: regenerate."]
        var generator = CodeGenerator(target: target, banner: banner)
        generator.profile = options.profile
        let sources = try generator.generate(graph)
        let compiler = try CCompiler.detect()
        let cache = BuildCache(directory: options.cacheDirectory)
        if let note = cache.note { options.log?(note) }
        let flags = ["-O3", "-march=\(target.march)", "-std=c11", "-ffp-contract=fast", "-fno-math-errno"]
        let built = try cache.sharedObject(files: sources.files, translationUnits: sources.translationUnits,
                                           compiler: compiler, flags: flags, progress: options.progress)
        if !built.cacheHit { options.progress?("") }  // done: an empty line lets a display clear itself
        options.log?("library \(built.path) (\(built.cacheHit ? "cache hit" : "compiled"))")
        let model = try CompiledModel(graph: graph, sources: sources, libraryPath: built.path, cacheHit: built.cacheHit,
                                      compileSeconds: Date().timeIntervalSince(start))
        model.tunedConvolutions = tuned
        return model
    }
}
