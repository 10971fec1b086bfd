import Foundation
import KilnCodegen
import KilnIR
import KilnRuntime

/// A network compiled to a loaded shared object, ready to be given weights.
public final class CompiledModel: @unchecked Sendable {
    /// The graph after all passes (schedules and memory plan included).
    public let graph: Graph
    public let sources: SourceBundle
    public let libraryPath: String
    public let cacheHit: Bool
    /// Seconds spent in passes, codegen and the C compiler (near zero on a cache hit).
    public let compileSeconds: Double
    /// Convolutions whose schedule came from the tuning file (`CompileOptions.tuning`).
    public internal(set) var tunedConvolutions = 0
    let library: SharedLibrary
    let entry: EntryPoints

    init(graph: Graph, sources: SourceBundle, libraryPath: String, cacheHit: Bool, compileSeconds: Double) throws {
        self.graph = graph
        self.sources = sources
        self.libraryPath = libraryPath
        self.cacheHit = cacheHit
        self.compileSeconds = compileSeconds
        library = try SharedLibrary(path: libraryPath)
        entry = try EntryPoints(library)
    }

    /// Seconds spent in each kernel call so far (all sessions), with the node it computes;
    /// empty unless compiled with `CompileOptions.profile`.
    public func profile() -> [(node: ValueID, seconds: Double)] {
        typealias Counters = @convention(c) () -> UnsafeMutablePointer<Double>?
        guard !sources.profiledCalls.isEmpty,
              let counters = (try? library.symbol("kiln_profile_seconds", as: Counters.self))?() else { return [] }
        return sources.profiledCalls.enumerated().map { ($1, counters[$0]) }
    }

    public var inputShape: Shape { graph.inputShape }
    public var outputShape: Shape { graph.outputShape }

    /// Reads, checks and prepares the weights, and creates a context that owns the activations.
    /// - Parameter warn: receives one line per suspicious parameter (NaN or infinity).
    public func load(weights source: WeightSource, warn: ((String) -> Void)? = nil) throws -> Session {
        let buffer = try WeightPreparer.prepare(graph, source: source, warn: warn)
        return try Session(model: self, weights: buffer)
    }
}

/// The C entry points of a compiled model (templates/runtime/kiln_model.c).
struct EntryPoints {
    typealias Create = @convention(c) (UnsafePointer<Float>?, Int) -> OpaquePointer?
    typealias SetThreads = @convention(c) (OpaquePointer?, Int32) -> Int32
    typealias Run = @convention(c) (OpaquePointer?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?) -> Int32
    typealias Free = @convention(c) (OpaquePointer?) -> Void
    let create: Create, setThreads: SetThreads, run: Run, free: Free

    init(_ lib: SharedLibrary) throws {
        create = try lib.symbol("kiln_create", as: Create.self)
        setThreads = try lib.symbol("kiln_set_threads", as: SetThreads.self)
        run = try lib.symbol("kiln_run", as: Run.self)
        free = try lib.symbol("kiln_free", as: Free.self)
    }
}
