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

    /// The C text: definitions, the template body, and the `#undef`s that make it re-pastable.
    func render(function: String, body: String) -> String {
        var lines = ["/* ---- \(function): \(template) ---- */", "#define KILN_FN \(function)"]
        lines += params.map { "#define \($0.0) \($0.1)" }
        lines.append(body)
        lines.append("#undef KILN_FN")
        lines += params.map { "#undef \($0.0)" }
        return lines.joined(separator: "\n")
    }
}
