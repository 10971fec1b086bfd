#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KilnIR

/// One context of a compiled model: prepared weights plus its own activation arena.
/// Sessions of one model may run concurrently; a single session must not be used from two
/// threads at once (it is not `Sendable`).
public final class Session {
    public let model: CompiledModel
    private let weights: UnsafeMutableBufferPointer<Float>
    private let context: OpaquePointer

    init(model: CompiledModel, weights: [Float]) throws {
        self.model = model
        // The C side keeps a pointer to the weights, so they live in memory Swift will not move.
        self.weights = try Session.allocateWeights(weights.count)
        _ = self.weights.initialize(from: weights)
        guard let ctx = model.entry.create(UnsafePointer(self.weights.baseAddress), weights.count) else {
            free(self.weights.baseAddress)
            throw KilnError.runtime("kiln_create failed: out of memory, or a weight buffer of the wrong size")
        }
        context = ctx
    }

    deinit {
        model.entry.free(context)
        free(weights.baseAddress)
    }

    /// Room for the prepared weights, 2 MiB aligned and, on Linux, in transparent huge pages:
    /// every run streams all of them, and a run that starts with cold caches (as the
    /// benchmark's interleaved runs do) spent ~2% more time with 4 KiB pages (page walks).
    private static func allocateWeights(_ count: Int) throws -> UnsafeMutableBufferPointer<Float> {
        let huge = 2 << 20, bytes = (max(count, 1) * MemoryLayout<Float>.stride + huge - 1) / huge * huge
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, huge, bytes) == 0, let raw else {
            throw KilnError.runtime("cannot allocate \(bytes) bytes for the weights")
        }
        #if os(Linux)
        _ = madvise(raw, bytes, MADV_HUGEPAGE)
        #endif
        return UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: max(count, 1)), count: max(count, 1))
    }

    /// Sets the OpenMP thread count used by `run`.
    public func setThreads(_ n: Int) throws {
        guard n >= 1, model.entry.setThreads(context, Int32(clamping: n)) == 0 else {
            throw KilnError.runtime("cannot use \(n) threads (must be at least 1, and the scratch must fit in memory)")
        }
    }

    /// Runs the network on `input` of shape `shape`, after checking that shape against the
    /// compiled one, in the order and words of the C library's `run_checked`: rank, empty or
    /// negative dims, channels, spatial size, batch, then the float count.
    public func run(_ input: [Float], shape: Shape) throws -> [Float] {
        let want = model.inputShape
        let name = model.graph.name, expects = "model '\(name)' expects"
        guard shape.rank == want.rank else {
            throw KilnError.invalidInput("input has rank \(shape.rank) \(shape); \(expects) rank \(want.rank) NCHW \(want)")
        }
        let names = ["batch", "channels", "height", "width"]
        if let d = shape.dims.firstIndex(where: { $0 < 1 }) {
            let what = d == 0 && shape[0] == 0 ? "an empty batch" : "every dim must be at least 1"
            throw KilnError.invalidInput("input \(shape) has \(names[d]) \(shape[d]) (dim \(d)), \(what); \(expects) NCHW \(want)")
        }
        guard shape[1] == want[1] else {
            throw KilnError.invalidInput("input \(shape) has \(shape[1]) channels (dim 1); \(expects) \(want[1]) channels: NCHW \(want)")
        }
        guard shape[2] == want[2], shape[3] == want[3] else {
            throw KilnError.invalidInput("input \(shape) is \(shape[2])x\(shape[3]) (height x width); model '\(name)' was "
                                         + "compiled for \(want[2])x\(want[3]): shapes are static, so compile it for that shape")
        }
        guard shape[0] == want[0] else {
            throw KilnError.invalidInput("input \(shape) has batch \(shape[0]) (dim 0); model '\(name)' was compiled "
                                         + "for batch \(want[0]): shapes are static, so compile it for that batch")
        }
        return try run(input)
    }

    /// Runs the network on a float32 NCHW input of the compiled shape and returns the output.
    public func run(_ input: [Float]) throws -> [Float] {
        guard input.count == model.inputShape.count else {
            throw KilnError.invalidInput("expected \(model.inputShape.count) floats for shape \(model.inputShape), got \(input.count)")
        }
        var output = [Float](repeating: 0, count: model.outputShape.count)
        let status = input.withUnsafeBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in model.entry.run(context, i.baseAddress, o.baseAddress) }
        }
        guard status == 0 else { throw KilnError.runtime("kiln_run failed with status \(status)") }
        return output
    }
}
