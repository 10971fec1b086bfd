/// One template filled with one set of parameters. Equal instances are emitted once.
struct KernelInstance: Hashable {
    /// Path under `templates/`, e.g. `conv/conv2d_gemm.c`.
    var template: String
    /// Macro definitions in order, without `KILN_FN`.
    var params: [(String, Int)]
    /// Floats of per-thread scratch the kernel needs.
    var scratchFloats = 0

    static func == (a: Self, b: Self) -> Bool {
        a.template == b.template && a.params.elementsEqual(b.params, by: { $0 == $1 })
    }

    func hash(into h: inout Hasher) {
        h.combine(template)
        for (k, v) in params { h.combine(k); h.combine(v) }
    }

    /// The C text: definitions, the template body, and the `#undef`s that make it re-pastable:
    /// every `KILN_` macro the body defines too, so a default it filled in cannot leak into the
    /// next instance.
    func render(function: String, body: String) -> String {
        var lines = ["/* ---- \(function): \(template) ---- */", "#define KILN_FN \(function)"]
        lines += params.map { "#define \($0.0) \($0.1)" }
        lines.append(body)
        var undefined: Set<String> = ["KILN_COMMON_H"]
        for name in ["KILN_FN"] + params.map(\.0) + Self.macrosDefined(in: body) where undefined.insert(name).inserted {
            lines.append("#undef \(name)")
        }
        return lines.joined(separator: "\n")
    }

    /// Names of the `KILN_...` macros a template `#define`s (its parameter defaults).
    static func macrosDefined(in body: String) -> [String] {
        body.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" })
            guard words.count > 1, words[0] == "#define", words[1].hasPrefix("KILN_") else { return nil }
            return String(words[1])
        }
    }
}
