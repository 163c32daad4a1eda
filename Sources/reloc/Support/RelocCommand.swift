import ArgumentParser
import RelocationCore

#if canImport(Glibc)
    import Glibc
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    import Darwin
    private let systemWrite = Darwin.write
#endif

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
    /// The root command (`@ParentCommand var reloc: Reloc`), whose shared options include `--as`:
    /// read wherever it stands on the line, it is refused here rather than silently ignored.
    var reloc: Reloc { get }
}

/// A command that prints a document a person reads (a bulletin, 通报): it honours `--format
/// markdown | html` as well as table, json and csv; every other command refuses those two with 64.
protocol PrintsDocument: RelocCommand {}

extension RelocCommand {
    /// The `--format` a command was given: its FormatOptions, or the one inside its ListingOptions.
    static func formatChoice(of command: Self) -> FormatChoice? {
        for child in Mirror(reflecting: command).children {
            if let group = child.value as? OptionGroup<FormatOptions> { return group.wrappedValue.choice }
            if let group = child.value as? OptionGroup<ListingOptions> { return group.wrappedValue.shared.choice }
        }
        return nil
    }
}

/// A command that prints a sentence, not records (an edit, an advance, `db migrate`): it
/// declares the shared `--format` (FormatOptions, hidden from its help) only to refuse a non-table
/// one, rather than ignore it silently. The others declare FormatOptions or ListingOptions and honour it
/// (FormatHonouredTests walks every command).
protocol PrintsSentence: RelocCommand {
    var output: FormatOptions { get }
}

/// A command that creates a row and prints its key (`enterprise register`, `plan add` …): it
/// prints in table, JSON or CSV, and refuses `--format xlsx` before it creates anything, a
/// workbook being for listings and items (issue 17).
protocol PrintsCreated: RelocCommand {
    var output: FormatOptions { get }
}

extension ConnectionCommand {
    var databaseSettings: DatabaseSettings { connection.settings() }
}

extension RelocCommand {
    func run() throws {
        do {
            if let command = self as? any ConnectionCommand, command.reloc.session.actingAs != nil {
                throw ValidationError("--as: this command acts for no organisation, as the login itself")
            }
            if !(self is any PrintsDocument), let choice = Self.formatChoice(of: self), choice.records == nil {
                throw ValidationError(
                    "--format \(choice.rawValue): only a bulletin (reloc bulletin draft | show) prints a document; "
                        + "`reloc \(Self.commandPath)` prints table, json or csv")
            }
            if let command = self as? any PrintsSentence, command.output.choice != .table {
                throw ValidationError(
                    "--format: `reloc \(Self.commandPath)` prints a sentence, not records; "
                        + "leave --format out")
            }
            try checkOutput()
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

    /// `--format xlsx` and `--output` (issue 17): a workbook for a listing or an item only, to a
    /// file (or standard output that is not a terminal); `--output` only with a workbook.
    private func checkOutput() throws {
        let options = Mirror(reflecting: self).children.lazy.compactMap { child -> FormatOptions? in
            if let group = child.value as? OptionGroup<FormatOptions> { return group.wrappedValue }
            return (child.value as? OptionGroup<ListingOptions>)?.wrappedValue.shared
        }.first
        guard let options, !(self is any WritesItsOwnFile) else { return }
        if options.format == .xlsx, self is any PrintsCreated {
            throw ValidationError(
                "--format xlsx: `reloc \(Self.commandPath)` prints what it created, not a listing; use table, json or csv"
            )
        }
        if options.format == .xlsx, options.output == nil, isatty(STDOUT_FILENO) != 0 { throw XLSXOutput.refusal }
        if options.output != nil, options.format != .xlsx {
            throw ValidationError(
                "--output writes a workbook: give --format xlsx too (other formats print to standard output)")
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
        put(DisplayWidth.visible(line, keepingNewlines: true) + "\n", to: STDERR_FILENO)
    }

    static func write(_ text: String) {
        put(text, to: STDOUT_FILENO)
    }

    /// Every byte to the descriptor with write(2), unbuffered like FileHandle was, without
    /// FileHandle's Foundation machinery at start-up (docs/performance-cli.md).
    private static func put(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, start + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
