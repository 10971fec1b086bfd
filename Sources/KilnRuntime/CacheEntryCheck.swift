import Foundation

/// The sidecar file stored next to each cached shared object, recording its size and a hash
/// of its bytes. A crash, a full disk or a stray `truncate` can leave a damaged .so behind, and
/// `dlopen` of a damaged .so can crash the process instead of failing cleanly; checking the
/// sidecar first turns that into a rebuild.
enum CacheEntryCheck {
    /// The sidecar text for the file at `path`, or nil if it cannot be read.
    static func sidecar(for path: String) -> String? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return nil }
        var hash = StableHash()
        data.withUnsafeBytes { hash.update(bytes: $0) }
        return "kiln-cache-entry v1\nsize \(data.count)\nhash \(hash.hex)\n"
    }

    /// True if both files exist and the sidecar matches the shared object's current bytes.
    static func isIntact(sharedObject path: String, sidecar sidecarPath: String) -> Bool {
        guard let recorded = try? String(contentsOfFile: sidecarPath, encoding: .utf8),
              let sizeLine = recorded.split(separator: "\n").first(where: { $0.hasPrefix("size ") }),
              let size = Int(sizeLine.dropFirst(5)),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.size] as? NSNumber)?.intValue == size else { return false }
        return sidecar(for: path) == recorded
    }
}
