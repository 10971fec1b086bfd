import ArgumentParser

@main
struct KilnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Compile neural networks to fast, dependency-free C.",
        subcommands: [List.self, Run.self, Compile.self, Emit.self, Bench.self, Profile.self])
}
