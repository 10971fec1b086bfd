import Foundation
@testable import KilnRuntime

/// A fresh directory under the system temp dir, so tests never touch the user's cache.
func makeTemporaryDirectory(_ label: String = #function) throws -> String {
    let name = "kiln-rt-test-\(label.filter { $0.isLetter || $0.isNumber })-\(UInt64.random(in: 0...UInt64.max))"
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent(name)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// A safetensors file assembled by hand, to produce exactly the damage a test needs:
/// `declaredLength` overrides the u64 prefix, `data` follows the header bytes verbatim.
func rawSafetensors(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    let json = Data(header.utf8)
    var file = Data()
    withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { file.append(contentsOf: $0) }
    file.append(json)
    file.append(contentsOf: data)
    return file
}

/// Little-endian bytes of some floats.
func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// Writes `data` to `name` inside `directory` and returns the path.
func writeFile(_ data: Data, _ name: String, in directory: String) throws -> String {
    let path = (directory as NSString).appendingPathComponent(name)
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

/// The environment tests detect compilers with: the real one, but with the cache redirected.
func testEnvironment(cache: String, extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["KILN_CACHE_DIR"] = cache
    environment["KILN_NO_OPENMP"] = nil
    environment["CC"] = nil
    for (key, value) in extra { environment[key] = value }
    return environment
}
