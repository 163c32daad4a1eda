import ArgumentParser
import Testing

@testable import reloc

/// Every command states its name (`CommandConfiguration(commandName:)`). ArgumentParser derives a
/// missing one from `String(describing: Self.self)`, a dynamic cast that scans every protocol
/// conformance record of the (static, Foundation-sized) binary, once per command type, and it
/// builds the whole command tree at every start: before the names were written out, that was
/// about 45% of `reloc --help`'s CPU and of every command's start (issue 13; docs/performance-cli.md).
@Suite("Command names: stated, never derived at start")
struct CommandNameTests {
    /// The commands under `command` (itself included) that state no name, with where they stand.
    static func unnamed(_ command: ParsableCommand.Type, under path: [String] = []) -> [String] {
        let name = command.configuration.commandName ?? "\(command)"
        let here = command.configuration.commandName == nil ? [(path + [name]).joined(separator: " ")] : []
        return here + command.configuration.subcommands.flatMap { unnamed($0, under: path + [name]) }
    }

    @Test func everyCommandStatesItsName() {
        let missing = Self.unnamed(Reloc.self)
        #expect(missing.isEmpty, "commands whose name ArgumentParser would derive at every start: \(missing)")
    }
}
