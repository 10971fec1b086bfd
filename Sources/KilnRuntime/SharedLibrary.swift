#if canImport(Glibc)
import Glibc
#endif

/// A dlopen'ed shared object (a compiled model), closed when the last reference goes away.
///
/// Opened with RTLD_NOW so a missing symbol (say, a libomp that cannot be found) fails here
/// with a message instead of at the first call, and RTLD_LOCAL so two models' identically
/// named entry points cannot bind to each other. Pointers obtained from `symbol` must not be
/// used after this object is released. glibc's dlopen returns the already-loaded object for a
/// path it has open, so release the old SharedLibrary before loading a rebuilt file at the
/// same path (BuildCache reuses its entry path when it rebuilds a damaged entry).
public final class SharedLibrary: @unchecked Sendable {
    public let path: String
    private let handle: UnsafeMutableRawPointer

    public init(path: String) throws {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw KilnRuntimeError.dlopenFailed(path: path, message: Self.lastError())
        }
        self.handle = handle
        Self.pinOpenMPRuntimes()
    }

    deinit {
        dlclose(handle)
    }

    /// The symbol `name` as `type`, which must be a pointer-sized type such as a
    /// `@convention(c)` function type or an `UnsafeMutableRawPointer`.
    public func symbol<T>(_ name: String, as type: T.Type) throws -> T {
        guard MemoryLayout<T>.size == MemoryLayout<UnsafeMutableRawPointer>.size else {
            throw KilnRuntimeError.dlsymFailed(path: path, symbol: name, message: "\(T.self) is not a pointer-sized type such as a @convention(c) function")
        }
        _ = dlerror()
        guard let address = dlsym(handle, name) else {
            throw KilnRuntimeError.dlsymFailed(path: path, symbol: name, message: Self.lastError())
        }
        return unsafeBitCast(address, to: T.self)
    }

    /// OpenMP runtimes keep a pool of worker threads; if closing the last model unloaded the
    /// runtime (libgomp is not marked NODELETE; libomp is), a late-waking worker would run
    /// unmapped code, and every reload would rebuild the pool. So whichever runtime a loaded
    /// model pulled in is promoted to RTLD_NODELETE (RTLD_NOLOAD: nothing new is loaded).
    private static func pinOpenMPRuntimes() {
        for name in ["libgomp.so.1", "libomp.so.5", "libomp.so", "libiomp5.so"] {
            if let runtime = dlopen(name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) {
                dlclose(runtime)
            }
        }
    }

    private static func lastError() -> String {
        guard let message = dlerror() else { return "unknown dynamic loader error" }
        return String(cString: message)
    }
}
