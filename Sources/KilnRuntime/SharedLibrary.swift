#if canImport(Glibc)
import Glibc
#endif

/// A dlopen'ed shared object (a compiled model), closed when the last reference goes away.
///
/// Opened with RTLD_NOW so a missing symbol (say, a libomp that cannot be found) fails here
/// with a message instead of at the first call, and RTLD_LOCAL so two models' identically
/// named entry points cannot bind to each other. Pointers obtained from `symbol` must not be
/// used after this object is released.
public final class SharedLibrary: @unchecked Sendable {
    public let path: String
    private let handle: UnsafeMutableRawPointer

    public init(path: String) throws {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw KilnRuntimeError.dlopenFailed(path: path, message: Self.lastError())
        }
        self.handle = handle
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

    private static func lastError() -> String {
        guard let message = dlerror() else { return "unknown dynamic loader error" }
        return String(cString: message)
    }
}
