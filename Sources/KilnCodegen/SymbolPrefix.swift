/// Renames the public C API of templates/runtime/kiln.h to a model's prefix, so that two
/// emitted models link into one program (`kiln_run` → `resnet50_run`, `KILN_OK` → `RESNET50_OK`).
///
/// The public names are read from the header itself (every `kiln_…`/`KILN_…` identifier it
/// declares outside comments), so adding a function to kiln.h needs no change here. Only
/// those whole identifiers are renamed: kernel macros such as `KILN_VL` and static helpers such
/// as `kiln_fail` keep their names (they never leave a translation unit).
public struct SymbolPrefix: Hashable, Sendable {
    /// The lower-case prefix, without the trailing underscore (`kiln` for the JIT).
    public let name: String
    /// Public identifiers of kiln.h (`kiln_run`, `KILN_OK`, the `KILN_H` guard, ...).
    let publicNames: Set<String>

    /// - Throws: `CodegenError.invalidPrefix` unless `name` is a C identifier.
    public init(_ name: String, header: String) throws {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_") })
        else { throw CodegenError.invalidPrefix(name) }
        self.name = name
        publicNames = Set(Self.identifiers(in: Self.strippingComments(header)).filter { $0.hasPrefix("kiln_") || $0.hasPrefix("KILN_") })
    }

    /// The public header's file name, e.g. `resnet50.h`.
    public var headerName: String { name + ".h" }

    /// `text` with every public identifier renamed, and `#include "kiln.h"` (by any relative
    /// path) turned into `#include "<includePath>"`.
    public func apply(to text: String, includePath: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.hasPrefix("#include \""), trimmed.hasSuffix("kiln.h\"") {
                let path = trimmed.dropFirst("#include \"".count).dropLast()
                if path == "kiln.h" || path.hasSuffix("/kiln.h") { return "#include \"\(includePath)\"" }
            }
            return rename(String(line))
        }.joined(separator: "\n")
    }

    /// Renames whole public identifiers in one line.
    func rename(_ line: String) -> String {
        guard name != "kiln", line.contains("kiln_") || line.contains("KILN_") else { return line }
        var out = "", word = ""
        func flush() {
            if publicNames.contains(word) {
                out += word.hasPrefix("kiln_") ? name + word.dropFirst(4) : name.uppercased() + word.dropFirst(4)
            } else {
                out += word
            }
            word = ""
        }
        for ch in line {
            if ch.isASCII && (ch.isLetter || ch.isNumber || ch == "_") { word.append(ch) } else { flush(); out.append(ch) }
        }
        flush()
        return out
    }

    static func identifiers(in text: String) -> [String] {
        text.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }).map(String.init)
    }

    /// C text without `/* */` and `//` comments (no string literal in kiln.h holds either).
    static func strippingComments(_ text: String) -> String {
        var out = "", i = text.startIndex
        while i < text.endIndex {
            let rest = text[i...]
            if rest.hasPrefix("/*") {
                i = rest.range(of: "*/").map(\.upperBound) ?? text.endIndex
            } else if rest.hasPrefix("//") {
                i = rest.firstIndex(of: "\n") ?? text.endIndex
            } else {
                out.append(text[i])
                i = text.index(after: i)
            }
        }
        return out
    }
}
