import KilnIR

/// Writes the C for a planned graph: one `SourceBundle` that the JIT compiles and `kiln emit`
/// writes out, so both run exactly the same code.
///
/// The kernel calls, in graph order, are cut into parts of about `partBytes` of kernel text;
/// each part is its own translation unit (`src/partNN.c`) holding the template instances it
/// calls and one function running them, so a big model compiles on every core and no file is
/// huge. An instance used by two parts is pasted into both (kernels stay `static`).
/// `src/model.c` holds `kiln_forward`, which calls the parts in order, and the entry points of
/// templates/runtime/ under the public header `PREFIX.h`. Every symbol that leaves a
/// translation unit carries the prefix, so two models link into one program. Portable code
/// adds a twin `src/partNN_avx2.c` per part, which the emitted build compiles for AVX2+FMA and
/// `kiln_forward` runs only on CPUs that have them (templates/runtime/kiln_isa.h).
public struct CodeGenerator: Sendable {
    public var templates: TemplateLibrary
    public var target: Target
    /// First lines of every generated file (tool version, command line).
    public var banner: [String]
    /// Prefix of every exported C symbol: `kiln` for the JIT, the library name for `kiln emit`.
    public var prefix = "kiln"
    /// Leave KILN_VL to the C compiler's target flags (templates/runtime/kiln_isa.h) instead of
    /// fixing it to `target.vectorWidth`, so the C runs on any CPU of the architecture.
    public var portable = false
    /// Size of the weights file compiled into the library, if any (see `embeddedWeightsSource`).
    public var embeddedWeightsBytes: Int?
    /// Kernel text per translation unit before a new part starts.
    public var partBytes = 160 * 1024
    /// Time every kernel call into per-call counters that `PREFIX_profile_seconds()` exposes
    /// (`kiln profile`); off for normal builds, whose code stays free of timers.
    public var profile = false

    public init(templates: TemplateLibrary = TemplateLibrary(), target: Target, banner: [String] = []) {
        self.templates = templates
        self.target = target
        self.banner = banner
    }

    public func generate(_ g: Graph) throws -> SourceBundle {
        guard let memory = g.memory else { throw CodegenError.unplanned }
        let symbols = try SymbolPrefix(prefix, header: templates.text("runtime/kiln.h"))
        let layout = ConstantLayout(g)
        let table = WeightsTable(g)
        func value(_ id: ValueID) -> String {
            switch memory.storage[id] {
            case .input: return "in"
            case .output: return "out"
            case .arena(let offset): return "arena + \(offset)"
            case .alias(let root): return value(root)
            case .constant(let c): return "w + \(layout.offsets[c]!)"
            }
        }
        let constant = { (c: ConstID) in "w + \(layout.offsets[c]!)" }
        let pointers = Lowering.Pointers(value: value, constant: constant)
        // In the sample loop, values holding the whole batch are addressed at the sample's slice.
        let body = g.sampleLoopBody(), results = g.sampleLoopResults()
        let loopPointers = Lowering.Pointers(value: { id in
            let root = g.viewRoot(id)
            guard let loop = g.sampleLoop, root == 0 || results.contains(root) else { return value(id) }
            return "\(value(id)) + (size_t)sample * \(g.nodes[root].shape.count / loop.batch)"
        }, constant: constant)

        // Every call in order, each distinct instance named and rendered once.
        var names: [KernelInstance: String] = [:], texts: [KernelInstance: String] = [:]
        var usedNames: Set<String> = []
        var calls: [ModelPart.Call] = []
        var profiled: [ValueID] = []
        var scratch = 16
        for (id, node) in g.nodes.enumerated() {
            let inLoop = g.sampleLoop?.contains(id) == true
            for call in try inLoop ? Lowering.lower(id, in: body, loopPointers)
                : Lowering.lower(id, in: g, pointers) {
                if names[call.instance] == nil {
                    let name = uniqueName(for: node, used: &usedNames)
                    names[call.instance] = name
                    texts[call.instance] = call.instance.render(function: name, body: try templates.text(call.instance.template))
                }
                scratch = max(scratch, call.instance.scratchFloats)
                var line = "\(names[call.instance]!)(\(call.arguments.joined(separator: ", ")));"
                if profile {
                    line = "{ const double t0 = kiln_profile_now(); \(line) \(prefix)__profile[\(profiled.count)] += kiln_profile_now() - t0; }"
                    profiled.append(id)
                }
                calls.append(ModelPart.Call(instance: call.instance, line: "    \(line)  /* %\(id) \(node.name) */", inSampleLoop: inLoop))
            }
        }

        let parts = ModelPart.split(calls, texts: texts, budget: partBytes) { "\(prefix)__part\(twoDigits($0 + 1))" }

        let comment = banner.map { "/* \($0) */" }
        let summary = "/* Model \(g.name): input \(g.inputShape) -> output \(g.outputShape); target \(portable ? "portable (vector width from the compiler flags)" : target.description). */"
        var files: [String: String] = [:]
        files[symbols.headerName] = symbols.apply(to: try templates.text("runtime/kiln.h"), includePath: symbols.headerName)
        files["src/kiln_common.h"] = try templates.text("kiln_common.h")
        if portable { files["src/kiln_isa.h"] = try templates.text("runtime/kiln_isa.h") }
        files["src/model.h"] = lines(comment + [
            summary,
            "#ifndef KILN_MODEL_H",
            "#define KILN_MODEL_H",
            portable ? "#include \"kiln_isa.h\"" : "#define KILN_VL \(target.vectorWidth)",
            "#define KILN_SCRATCH_PER_THREAD \(scratch)",
            "#include \"kiln_common.h\"",
            "/* Functions shared between this model's translation units: prefixed, and hidden in shared objects. */",
            "#if defined(__GNUC__)",
            "#define KILN_INTERNAL __attribute__((visibility(\"hidden\")))",
            "#else",
            "#define KILN_INTERNAL",
            "#endif",
        ] + functions(parts).map { "KILN_INTERNAL void \($0)(const float* w, float* arena, float* scratch, const float* in, float* out, int sample);" }
          + profilingDeclarations(count: profiled.count)
          + ["#endif /* KILN_MODEL_H */"])
        for (i, part) in parts.enumerated() {
            files[partFile(i)] = partSource(part, index: i, of: parts.count, model: g.name)
            if portable { files[partFile(i, avx2: true)] = avx2Twin(of: part, index: i) }
        }
        files["src/model.c"] = lines(comment + [summary, "#include \"model.h\"", "#include \"../\(symbols.headerName)\""]
            + modelDefines(g, table: table, arenaFloats: memory.arenaFloats)
            + ["static void kiln_forward(const float* w, float* arena, float* scratch, const float* in, float* out) {",
               "    (void)w; (void)arena; (void)scratch; (void)in;"]
            + forwardCalls(parts, batch: g.sampleLoop?.batch ?? 1)
            + (value(g.output) == "out" ? [] : [
                // The output is the input or a constant: nothing wrote the caller's buffer yet.
                "    memcpy(out, \(value(g.output)), sizeof(float) * \(g.outputShape.count));"])
            + ["}"]
            + (profile ? ["double \(prefix)__profile[\(max(profiled.count, 1))];",
                          "/* Seconds spent in each kernel call since the library was loaded, in call order. */",
                          "double* \(prefix)_profile_seconds(void) { return \(prefix)__profile; }"] : [])
            + [symbols.apply(to: try templates.text("runtime/kiln_blob.c"), includePath: "../" + symbols.headerName),
               symbols.apply(to: try templates.text("runtime/kiln_model.c"), includePath: "../" + symbols.headerName)])
        let units = parts.indices.map { partFile($0) } + (portable ? parts.indices.map { partFile($0, avx2: true) } : [])
        return SourceBundle(files: files, translationUnits: ["src/model.c"] + units,
                            weightFloats: layout.totalFloats, arenaBytes: memory.arenaFloats * 4,
                            header: symbols.headerName, weights: table, profiledCalls: profiled)
    }

    /// The wall clock and the counters the timed calls add to (C11 `timespec_get`, no POSIX needed).
    private func profilingDeclarations(count: Int) -> [String] {
        guard profile else { return [] }
        return ["#include <time.h>",
                "KILN_INTERNAL extern double \(prefix)__profile[\(max(count, 1))];",
                "static inline double kiln_profile_now(void) {",
                "    struct timespec ts;",
                "    timespec_get(&ts, TIME_UTC);",
                "    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;",
                "}"]
    }

    /// `src/partNN.c`: the part's template instances and the function calling them in order.
    private func partSource(_ part: ModelPart, index i: Int, of count: Int, model: String) -> String {
        lines(banner.map { "/* \($0) */" } + [
            "/* Part \(i + 1) of \(count) of model \(model): \(part.lines.count) kernel calls. */",
            "#include \"model.h\"",
        ] + part.texts + [
            "void \(part.function)(const float* w, float* arena, float* scratch, const float* in, float* out, int sample) {",
            "    (void)w; (void)arena; (void)scratch; (void)in; (void)out; (void)sample;",
        ] + part.lines + ["}"])
    }

    /// `src/partNN_avx2.c`: the same part under another name, for the AVX2 build of it.
    private func avx2Twin(of part: ModelPart, index i: Int) -> String {
        lines(banner.map { "/* \($0) */" } + [
            "/* Part \(i + 1) again, for CPUs with AVX2 and FMA: the emitted build compiles this unit with",
            " * -mavx2 -mfma on x86-64 and src/model.c runs it where the CPU allows (src/kiln_isa.h). */",
            "#if defined(KILN_AVX2_VARIANT) && defined(__AVX2__) && defined(__FMA__)",
            "#define \(part.function) \(part.function)_avx2",
            "#include \"\(partFile(i).dropFirst(4))\"",
            "#else",
            "typedef int kiln_no_avx2_variant; /* ISO C forbids an empty translation unit */",
            "#endif",
        ])
    }

    /// `src/weights.c` of a library with embedded weights: the weights file as one string
    /// literal (compilers handle a long string far better than a long initializer list).
    public func embeddedWeightsSource(_ blob: [UInt8]) -> String {
        var text = banner.map { "/* \($0) */" } + [
            "/* The weights file, compiled in (kiln emit --embed-weights); read by \(prefix)_create_embedded. */",
            "extern const unsigned char \(embeddedSymbol)[];",
            "__attribute__((aligned(64))) const unsigned char \(embeddedSymbol)[\(blob.count + 1)] =",
        ]
        let hex = Array("0123456789abcdef")
        for start in stride(from: 0, to: blob.count, by: 32) {
            var line = "    \""
            for byte in blob[start..<min(start + 32, blob.count)] {
                line += "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
            text.append(line + "\"")
        }
        text.append(blob.isEmpty ? "    \"\";" : ";")
        return lines(text)
    }

    /// The array holding embedded weights; prefixed like every symbol shared between units.
    public var embeddedSymbol: String { "\(prefix)__weights_blob" }

    private func partFile(_ i: Int, avx2: Bool = false) -> String { "src/part\(twoDigits(i + 1))\(avx2 ? "_avx2" : "").c" }

    /// The part functions, and their AVX2 twins in portable code.
    private func functions(_ parts: [ModelPart]) -> [String] {
        parts.map(\.function) + (portable ? parts.map { $0.function + "_avx2" } : [])
    }

    /// The body of `kiln_forward`: the parts in order, those of the sample loop in a loop over
    /// the batch, in portable code behind the AVX2 check.
    private func forwardCalls(_ parts: [ModelPart], batch: Int) -> [String] {
        let calls = { (suffix: String) -> [String] in
            let call = { (part: ModelPart, sample: String) in "\(part.function)\(suffix)(w, arena, scratch, in, out, \(sample));" }
            let loop = parts.prefix { $0.inSampleLoop }
            let looped = loop.isEmpty ? [] : ["        for (int sample = 0; sample < \(batch); sample++) {"]
                + loop.map { "            " + call($0, "sample") } + ["        }"]
            return looped + parts.dropFirst(loop.count).map { "        " + call($0, "0") }
        }
        guard portable, !parts.isEmpty else { return calls("").map { String($0.dropFirst(4)) } }
        return ["#if KILN_DISPATCH_AVX2", "    if (kiln_cpu_has_avx2()) {"] + calls("_avx2")
            + ["    } else", "#endif", "    {"] + calls("") + ["    }"]
    }
    private func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private func modelDefines(_ g: Graph, table: WeightsTable, arenaFloats: Int) -> [String] {
        let dims = { (s: Shape) in "{" + s.dims.map(String.init).joined(separator: ", ") + "}" }
        let escapedName = g.name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        var defines = [
            "#define KILN_MODEL_NAME \"\(escapedName)\"",
            "#define KILN_WEIGHT_FLOATS \(table.totalFloats)",
            "#define KILN_WEIGHTS_FINGERPRINT \(table.fingerprintLiteral)",
            "#define KILN_ARENA_FLOATS \(arenaFloats)",
            "#define KILN_INPUT_FLOATS \(g.inputShape.count)",
            "#define KILN_OUTPUT_FLOATS \(g.outputShape.count)",
            "#define KILN_INPUT_RANK \(g.inputShape.rank)",
            "#define KILN_OUTPUT_RANK \(g.outputShape.rank)",
            "#define KILN_INPUT_DIMS \(dims(g.inputShape))",
            "#define KILN_OUTPUT_DIMS \(dims(g.outputShape))",
        ]
        if let bytes = embeddedWeightsBytes {
            defines += ["#define KILN_EMBEDDED_BLOB \(embeddedSymbol)", "#define KILN_EMBEDDED_BLOB_BYTES \(bytes)"]
        }
        return defines
    }

    private func lines(_ text: [String]) -> String { text.joined(separator: "\n") + "\n" }

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
