import Foundation
import RelocTestSupport
import Testing

/// The independent readers of what reloc writes (issue 17): Python's openpyxl for workbooks and
/// icalendar for calendars, from PyPI, installed once by `.ci/python-tools.sh` into this
/// checkout's `.python-tools/`. If they cannot be installed the test fails: nothing is skipped.
enum PythonTools {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func python() throws -> String {
        let outcome = try run("/usr/bin/env", ["bash", root.appendingPathComponent(".ci/python-tools.sh").path])
        guard outcome.status == 0 else {
            throw Failure(description: "could not install openpyxl and icalendar (pip): \(outcome.stderr)")
        }
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a Python script with the tools' interpreter; its stdout, or a failure with its stderr.
    @discardableResult
    static func script(_ source: String, _ arguments: [String] = []) throws -> String {
        let outcome = try run(try python(), ["-c", source] + arguments)
        guard outcome.status == 0 else {
            throw Failure(description: "python failed (\(outcome.status)): \(outcome.stderr)\(outcome.stdout)")
        }
        return outcome.stdout
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let errorPath = temporary("stderr.txt")
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardOutput = out
        process.standardError = errors
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errors.close()
        let errData = (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data()
        return (
            process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("reloc-\(UUID())-\(name)").path
    }
}
