import ArgumentParser
import RelocationCore

extension TaskCommand {
    /// `task progress-import`, not `task progress import`: `task progress` takes the task number
    /// as its argument, which the parser would read `import` as.
    struct ProgressImportCommand: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "progress-import",
            abstract:
                "Report progress on many tasks from a CSV file (UTF-8, or GB18030 with --encoding), all or nothing.",
            discussion: """
                Header row with any of: \(ProgressImport.columns.joined(separator: ", ")) (task, note required). \
                One report per line, by the rules of reloc task progress: task is the task's number; percent 0 to 100 \
                (may be left out with status done); status on-track, at-risk, blocked or done (or 正常推进, 存在风险, \
                受阻, 已完成; default on-track, done at 100); evidence: document numbers (文号) separated by ; or ；. \
                A department reports only on tasks assigned to it. If any line is bad, nothing is recorded and every \
                bad line is listed with its line number; exit 65.
                """)
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The file's encoding: utf-8 (default) or gb18030 (also gbk), as Excel saves CSV in Chinese.")
        var encoding: String = "utf-8"
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            guard let encoding = CSVEncoding(name: encoding) else {
                throw ValidationError("--encoding must be utf-8 or gb18030 (got \"\(encoding)\")")
            }
            switch try ProgressImport(session.open().connection).run(file: file, encoding: encoding) {
            case .recorded(let count):
                Console.write("recorded \(count) progress reports from \(file)\n")
            case .rejected(let lines):
                for line in lines { Console.error("\(file):\(line.line): \(line.reason)") }
                throw RelocError.invalidInput(
                    "\(lines.count) bad line(s) in \(file); nothing was recorded — correct them and import the whole file again"
                )
            }
        }
    }
}
