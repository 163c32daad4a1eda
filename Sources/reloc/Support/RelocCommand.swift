import ArgumentParser
import Foundation
import RelocationCore

/// A reloc command: `execute()` does the work; `run()` turns any failure into one line on stderr
/// and a sysexits status, so no command prints a stack trace or a bare SQL error.
protocol RelocCommand: ParsableCommand {
    func execute() throws
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
            throw error  // a usage error found while running: ArgumentParser prints it, exit 64
        } catch {
            let report = ErrorReport(error)
            Console.error("reloc: \(report.message)")
            throw ExitCode(report.status.rawValue)
        }
    }
}

enum Console {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
