import ArgumentParser
import Foundation
import RelocationCore

/// A reloc command: `execute()` does the work; `run()` turns any failure into one line on stderr
/// and a sysexits status, so no command prints a stack trace or a bare SQL error.
protocol RelocCommand: ParsableCommand {
    func execute() throws
    /// The database the command works on, where the words of a broken rule are read after a
    /// refusal (see `SessionCommand`, `ConnectionCommand`).
    var databaseSettings: DatabaseSettings { get }
}

/// A command acting for an organisation (`@OptionGroup var session: SessionOptions`).
protocol SessionCommand: RelocCommand {
    var session: SessionOptions { get }
}

extension SessionCommand {
    var databaseSettings: DatabaseSettings { session.connection.settings() }
}

/// A command on the database itself, acting for no organisation (`db`, `remind run`).
protocol ConnectionCommand: RelocCommand {
    var connection: ConnectionOptions { get }
}

extension ConnectionCommand {
    var databaseSettings: DatabaseSettings { connection.settings() }
}

extension RelocCommand {
    func run() throws {
        do {
            try execute()
        } catch let error as ExitCode {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch let error as ValidationError {
            // A bad value found while running: one line naming the command's help, exit 64 (not
            // ArgumentParser's usage block, which would show the root command's usage).
            Console.error("reloc: \(error.message) (see reloc \(Self.commandPath) --help)")
            throw ExitCode(ExitStatus.usage.rawValue)
        } catch {
            let report = ErrorReport(error, rules: DatabaseRuleBook(settings: databaseSettings))
            Console.error("reloc: \(report.message)")
            throw ExitCode(report.status.rawValue)
        }
    }

    /// "enterprise list": the names from the root's subcommand down to this command.
    static var commandPath: String {
        var names: [String] = []
        var found = false
        func search(_ command: ParsableCommand.Type, _ path: [String]) {
            guard !found else { return }
            if command == Self.self {
                names = path
                found = true
                return
            }
            for sub in command.configuration.subcommands {
                search(sub, path + [sub._commandName])
            }
        }
        search(Reloc.self, [])
        return found ? names.joined(separator: " ") : _commandName
    }
}

enum Console {
    /// The one place reloc writes an error: a value quoted in it (an import cell, --plan, a
    /// capacity) never drives the terminal: control and invisible format characters are escaped
    /// as in listings (`\x1b`, `\u202e`); new lines, tabs and CJK stay.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((DisplayWidth.visible(line, keepingNewlines: true) + "\n").utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
