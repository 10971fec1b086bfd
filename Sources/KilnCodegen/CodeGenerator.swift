import KilnIR

/// Writes the C for a planned graph: the common header, one pasted template instance per
/// distinct kernel, `kiln_forward` calling them in order, and the entry points of
/// `templates/runtime/kiln_model.c`.
public struct CodeGenerator: Sendable {
    public var templates: TemplateLibrary
    public var target: Target
    /// First lines of every generated file (tool version, command line).
    public var banner: [String]

    public init(templates: TemplateLibrary = TemplateLibrary(), target: Target, banner: [String] = []) {
        self.templates = templates
        self.target = target
        self.banner = banner
    }

    public func generate(_ g: Graph) throws -> SourceBundle {
        guard let memory = g.memory else { throw CodegenError.unplanned }
        let layout = ConstantLayout(g)

        func value(_ id: ValueID) -> String {
            switch memory.storage[id] {
            case .input: return "in"
            case .output: return "out"
            case .arena(let offset): return "arena + \(offset)"
            case .alias(let root): return value(root)
            case .constant(let c): return "w + \(layout.offsets[c]!)"
            }
        }
        let pointers = Lowering.Pointers(value: value, constant: { "w + \(layout.offsets[$0]!)" })

        var instances: [KernelInstance: String] = [:]
        var kernelText: [String] = []
        var calls: [String] = []
        var usedNames: Set<String> = []
        var scratch = 0
        for (id, node) in g.nodes.enumerated() {
            for call in try Lowering.lower(id, in: g, pointers) {
                let function = try instances[call.instance] ?? {
                    let name = uniqueName(for: node, used: &usedNames)
                    kernelText.append(call.instance.render(function: name, body: try templates.text(call.instance.template)))
                    instances[call.instance] = name
                    return name
                }()
                scratch = max(scratch, call.instance.scratchFloats)
                calls.append("    \(function)(\(call.arguments.joined(separator: ", ")));  /* %\(id) \(node.name) */")
            }
        }
        if value(g.output) != "out" {
            // The output is the input or a constant: nothing wrote the caller's buffer yet.
            calls.append("    memcpy(out, \(value(g.output)), sizeof(float) * \(g.outputShape.count));")
        }

        let dims = { (s: Shape) in "{" + s.dims.map(String.init).joined(separator: ", ") + "}" }
        var text = banner.map { "/* \($0) */" }
        text += [
            "/* Model \(g.name): input \(g.inputShape) -> output \(g.outputShape); target \(target). */",
            "#define KILN_VL \(target.vectorWidth)",
            "#define KILN_SCRATCH_PER_THREAD \(max(scratch, 16))",
            try templates.text("kiln_common.h"),
        ]
        text += kernelText
        text += [
            "static void kiln_forward(const float* w, float* arena, float* scratch, const float* in, float* out) {",
            "    (void)w; (void)arena; (void)scratch; (void)in;",
        ] + calls + ["}", "",
            "#define KILN_WEIGHT_FLOATS \(layout.totalFloats)",
            "#define KILN_ARENA_FLOATS \(memory.arenaFloats)",
            "#define KILN_INPUT_FLOATS \(g.inputShape.count)",
            "#define KILN_OUTPUT_FLOATS \(g.outputShape.count)",
            "#define KILN_INPUT_DIMS \(dims(g.inputShape))",
            "#define KILN_OUTPUT_DIMS \(dims(g.outputShape))",
            try templates.text("runtime/kiln_model.c"),
        ]
        return SourceBundle(files: ["model.c": text.joined(separator: "\n") + "\n"], translationUnits: ["model.c"],
                            weightFloats: layout.totalFloats, arenaBytes: memory.arenaFloats * 4)
    }

    /// `k_` + the layer path with C-safe characters (`k_layer1_0_conv1`), numbered if taken.
    private func uniqueName(for node: Node, used: inout Set<String>) -> String {
        let path = node.name.isEmpty ? Printer.describe(node.op).prefix(while: { $0.isLetter || $0 == "_" }).description : node.name
        let base = "k_" + String(path.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        var name = base
        var n = 2
        while used.contains(name) { name = "\(base)_\(n)"; n += 1 }
        used.insert(name)
        return name
    }
}
