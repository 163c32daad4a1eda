import ArgumentParser
import Foundation
import RelocationCore

/// `reloc template enterprises`: an empty import file to fill in (issue 17).
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Empty files to fill in and import (the header row, and in a workbook what each column holds).",
        subcommands: [Enterprises.self])

    struct Enterprises: RelocCommand, WritesItsOwnFile {
        static let configuration = CommandConfiguration(
            commandName: "enterprises",
            abstract: "An empty enterprise import file: --format xlsx (with a sheet 填写说明) or csv.",
            discussion: """
                The header row of reloc enterprise import (plan, name and mode required). In a workbook the second \
                sheet, 填写说明, says in Chinese what each column holds and the values it allows. Example: \
                reloc template enterprises --format xlsx --output 企业导入模板.xlsx
                """)
        @OptionGroup var output: FormatOptions

        var databaseSettings: DatabaseSettings { DatabaseSettings(url: nil) }

        func execute() throws {
            let columns = EnterpriseImportTemplate.columns
            switch output.format {
            case .csv:
                let text = columns.map(\.name).joined(separator: ",") + "\r\n"
                if let path = output.output {
                    do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                        throw RelocError.invalidInput("cannot write \(path): \(error.localizedDescription)")
                    }
                } else {
                    Console.write(text)
                }
            case .xlsx:
                let header = Listing(columns: columns.map { .init($0.name) })
                var notes = Listing(
                    columns: [.init("列名"), .init("是否必填"), .init("说明"), .init("允许的值")])
                for column in columns {
                    notes.append([
                        .text(column.name), .text(column.required ? "必填" : "可空"), .text(column.meaning),
                        .text(column.allowed),
                    ])
                }
                try XLSXOutput.write(
                    [.init(name: "企业导入", listing: header), .init(name: "填写说明", listing: notes)], to: output.output,
                    quiet: true)
            case .table, .json:
                throw ValidationError("--format: a template is written as xlsx or csv (--format xlsx or --format csv)")
            }
        }
    }
}
