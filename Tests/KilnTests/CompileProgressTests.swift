import Foundation
import Kiln
import Testing

/// A long compile reports each translation unit as it finishes, then the link; a cache hit says nothing.
struct CompileProgressTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    @Test func progressNamesEachUnitThenTheLink() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-progress-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let lines = Lines()
        var options = CompileOptions(threads: 1, cacheDirectory: cache)
        options.progress = { lines.append($0) }
        let layer = Conv2d(3, 4, kernelSize: 3).key("c")
        let model = try ModelCompiler.compile(layer, name: "m", input: [1, 3, 8, 8], options: options)
        let units = model.sources.translationUnits.count
        #expect(lines.all.filter { $0.contains("compiled") }.count == units)
        #expect(lines.all.contains("[\(units)/\(units)] compiled " + model.sources.translationUnits.last!) || units > 1)
        #expect(lines.all.suffix(2).first?.hasPrefix("linking") == true)
        #expect(lines.all.last == "")

        let again = Lines()
        options.progress = { again.append($0) }
        _ = try ModelCompiler.compile(layer, name: "m", input: [1, 3, 8, 8], options: options)
        #expect(again.all.isEmpty)
    }
}
