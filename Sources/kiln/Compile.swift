import ArgumentParser
import Foundation
import Kiln
import KilnIR

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Compile a model and show the IR or the generated C.")

    enum Dump: String, ExpressibleByArgument { case ir, passes, c, none }

    @OptionGroup var options: ModelOptions
    @OptionGroup var input: InputShapeOptions
    @Option(help: "What to print: ir (after all passes, with each layer's schedule and memory), passes (the IR after every pass that changed it, with pass times), c, or none.")
    var dump: Dump = .none

    func run() throws {
        let shape = try input.dims()
        var compileOptions = try options.compileOptions(tuningFor: shape)
        if dump == .passes {
            compileOptions.log = { print($0) }
            compileOptions.dumpIR = true
        }
        let model = try ModelCompiler.compile(try options.layer(), name: options.model, input: shape, options: compileOptions)
        switch dump {
        case .ir: print(Printer.render(model.graph))
        case .c: print(model.sources.combinedText)
        case .passes, .none: break
        }
        let plan = model.graph.memory!
        print("library: \(model.libraryPath) (\(model.cacheHit ? "cache hit" : "built"))")
        print("arena: \(plan.arenaFloats * 4) bytes (activations total \(plan.totalActivationFloats * 4) bytes)")
        print("weights: \(model.sources.weightFloats * 4) bytes prepared")
    }
}
