/// One translation unit's share of a model's kernel calls (`src/partNN.c`).
struct ModelPart {
    /// The C function running the calls, e.g. `resnet50__part01`.
    var function: String
    var instances: Set<KernelInstance> = []
    /// Rendered template instances, each once.
    var texts: [String] = []
    /// The calls, in graph order.
    var lines: [String] = []
    var bytes = 0
    /// Whether the part's calls run in the sample loop (`Graph.sampleLoop`), once per sample.
    var inSampleLoop = false

    /// One kernel call in graph order.
    struct Call {
        var instance: KernelInstance
        var line: String
        var inSampleLoop: Bool
    }

    mutating func add(_ instance: KernelInstance, text: String, line: String) {
        if instances.insert(instance).inserted {
            texts.append(text)
            bytes += text.utf8.count
        }
        lines.append(line)
    }

    /// Cuts `calls` (in graph order) into parts of about `budget` bytes of kernel text: a new
    /// part starts when the next call's instance is new to the current part and would push it
    /// over, or when the sample loop ends. Consecutive layers reuse instances, so few are pasted
    /// into two parts.
    static func split(_ calls: [Call], texts: [KernelInstance: String], budget: Int, name: (Int) -> String) -> [ModelPart] {
        var parts: [ModelPart] = []
        for call in calls {
            let text = texts[call.instance]!
            if let last = parts.last, last.inSampleLoop == call.inSampleLoop,
               last.instances.contains(call.instance) || last.bytes + text.utf8.count <= budget {
                parts[parts.count - 1].add(call.instance, text: text, line: call.line)
            } else {
                parts.append(ModelPart(function: name(parts.count), inSampleLoop: call.inSampleLoop))
                parts[parts.count - 1].add(call.instance, text: text, line: call.line)
            }
        }
        return parts
    }
}
