import ArgumentParser
import KilnZoo

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the model zoo, one name a line.")

    func run() throws {
        for entry in Zoo.models { print(entry.name) }
    }
}
