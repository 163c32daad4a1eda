import ArgumentParser
import RelocationCore

struct EnterpriseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enterprise",
        abstract: "Enterprises to relocate (异地迁建), close (依法关停) or renovate in place (就地改造).",
        subcommands: [
            Register.self, List.self, Show.self, Edit.self, Advance.self, Correct.self, Import.self, Withdraw.self,
        ]
    )

    struct Register: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Register an enterprise into a plan of your city; prints its id.",
            discussion: """
                Without --mode the mode is unknown (未知), not guessed: the enterprise may then be edited and \
                surveyed for heritage, but a later step, a receiving park, land and relocation milestones wait for \
                `reloc enterprise edit ID --mode …` (rule enterprise_mode_known, exit 65). \
                Rules (refused with exit 65): relocation needs a receiving park, closure and in-situ renovation take \
                none; a high-risk enterprise may only go to a park that is legally established, has complete \
                environmental infrastructure and passed planning EIA (§四(三)); new capacity is at most the old, in the \
                same unit (§四(二)); the 统一社会信用代码 must pass its GB 32100-2015 check and be unique.
                """)
        @Option(help: "Plan code.", transform: Spellings.halfwidth) var plan: String
        @Option(help: "Enterprise name.") var name: String
        @Option(help: "in-situ, relocate or close (or 就地改造, 异地迁建, 依法关停); default unknown.")
        var mode: EnterpriseMode?
        @Option(help: "Receiving park code (for relocate).", transform: Spellings.halfwidth) var park: String?
        @Option(help: "Industry.") var industry: String?
        @Option(
            help: "High-risk class: metallurgy, chemicals, paper or hazardous (or 冶金, 化工, 造纸, 危险品).")
        var highRisk: HighRiskClass?
        @Option(help: "Unified social credit code (统一社会信用代码, 18 characters).") var uscc: String?
        @Option(parsing: .unconditional, help: "Original site area in hectares.") var siteHa: DecimalArgument?
        @Option(
            parsing: .unconditional,
            help: "Or in mu (亩; 15 mu = 1 ha): kept in ha to 0.0001, so a multiple of 0.0015 mu.") var siteMu:
            DecimalArgument?
        @Option(parsing: .unconditional, help: "Employees.") var employees: Int?
        @Option(parsing: .unconditional, help: "Surplus workers to resettle.") var surplusWorkers: Int?
        @Option(parsing: .unconditional, help: "Old capacity with unit, e.g. \"30 万吨/年\" or \"30,000 吨/日\".")
        var capacity: String?
        @Option(parsing: .unconditional, help: "New capacity with the same unit.") var newCapacity: String?
        // A flag since issue 2 (a contract): --listed-in-plan says yes, --no-listed-in-plan says no,
        // neither leaves it unknown (issue 14: a fact the opinion does not give is null, not "no").
        @Flag(
            inversion: .prefixedNo,
            help: "Listed in the plan (for the policy-relocation tax treatment), or not (default unknown).")
        var listedInPlan: Bool?
        @Option(help: "§四(二)'s group: finish-soon (尽快完成) or push-start (重点推动开展) (default unknown).")
        var priority: EnterprisePriority?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            if siteHa != nil && siteMu != nil { throw ValidationError("give --site-ha or --site-mu, not both") }
        }

        func execute() throws {
            var entry = Enterprises.Registration(plan: plan, name: name, mode: mode?.rawValue)
            entry.park = park
            entry.industry = industry
            entry.highRisk = highRisk?.rawValue
            entry.uscc = uscc
            entry.siteHectares = siteHa?.value
            entry.siteMu = siteMu?.value
            entry.employees = employees
            entry.surplusWorkers = surplusWorkers
            let connection = try session.open().connection
            entry.capacity = try Enterprises.Capacity.parse(capacity, option: "--capacity", in: connection)
            entry.newCapacity = try Enterprises.Capacity.parse(newCapacity, option: "--new-capacity", in: connection)
            entry.listedInPlan = listedInPlan
            entry.priority = priority?.rawValue
            let enterprises = Enterprises(connection)
            let id = try enterprises.namingTheUSCCHolder(Enterprises.normalisedUSCC(entry.uscc)) {
                try enterprises.register(entry)
            }
            printID(id, output.format)
        }
    }

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List enterprises.")
        @Option(help: "Only this plan.", transform: Spellings.halfwidth) var plan: String?
        @Option(help: "Only this city.") var city: String?
        @Option(help: "Only this mode, or unknown (未知): those whose mode is not yet set.")
        var mode: OrUnknown<EnterpriseMode>?
        @Option(help: "Only this status.") var status: EnterpriseStatus?
        @Option(help: "Only this group of §四(二): finish-soon or push-start.") var priority: EnterprisePriority?
        @Flag(help: "Include withdrawn enterprises (wrong entries, kept on record).") var withdrawn = false
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let rows = try Enterprises(session.open().connection).rows(
                .init(
                    plan: plan, city: city, mode: mode?.value?.rawValue, status: status?.rawValue,
                    priority: priority?.rawValue,
                    includeWithdrawn: withdrawn, modeUnknown: mode?.isUnknown ?? false)
            )
            try output.print(ListingRows(rows), .enterprises)
        }
    }

    struct Show: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an enterprise.")
        @Argument(help: "Enterprise id.") var id: Int64
        @Option(
            name: .customLong("as-of"),
            help: ArgumentHelp("Its status on this day and the steps recorded by then.", valueName: "DATE"))
        var asOf: AsOf?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            if let asOf { return try EnterpriseCommand.show(id, asOf: asOf, session: session, output: output) }
            let enterprises = Enterprises(try session.open().connection)
            let steps = ItemWithSections.Section(
                key: "history", title: "status history", try Listing(enterprises.steps(id)))
            try output.print(
                ItemWithSections(try Listing(enterprises.show(id)), sections: [steps]), sheet: "企业",
                labelling: ItemTerms.enterprise)
        }
    }

    struct Edit: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Edit an enterprise of your city.",
            discussion: """
                To clear an optional field, name it with --clear (repeatable): \(EnterpriseClearField.allCases.map(\.rawValue).joined(separator: ", ")). \
                An empty value (--uscc "") is refused: say --clear uscc. Changing --mode to close or in-situ \
                clears the receiving park, which only a relocation has. An unknown mode (未知) is set with --mode \
                (with --park for relocate); a mode once set is not made unknown again.
                """)
        @Argument(help: "Enterprise id.") var id: Int64
        @Option(help: "Enterprise name.") var name: String?
        @Option(help: "Move it to another plan of your city.", transform: Spellings.halfwidth) var plan: String?
        @Option(help: "in-situ, relocate or close (or 就地改造, 异地迁建, 依法关停).")
        var mode: EnterpriseMode?
        @Option(help: "Receiving park code.", transform: Spellings.halfwidth) var park: String?
        @Option(help: "Industry.") var industry: String?
        @Option(help: "High-risk class (as for register).") var highRisk: ClearableChoice<HighRiskClass>?
        @Option(help: "Unified social credit code.") var uscc: String?
        @Option(parsing: .unconditional, help: "Site area in hectares.") var siteHa: DecimalArgument?
        @Option(parsing: .unconditional, help: "Or in mu (亩): kept in ha to 0.0001, so a multiple of 0.0015 mu.")
        var siteMu: DecimalArgument?
        @Option(parsing: .unconditional, help: "Employees.") var employees: Int?
        @Option(parsing: .unconditional, help: "Surplus workers.") var surplusWorkers: Int?
        @Option(parsing: .unconditional, help: "Old capacity with unit.") var capacity: String?
        @Option(parsing: .unconditional, help: "New capacity with unit.") var newCapacity: String?
        @Option(help: "Listed in plan: yes or no.") var listedInPlan: YesNo?
        @Option(help: "§四(二)'s group: finish-soon or push-start.") var priority: EnterprisePriority?
        @Option(
            help:
                "Clear an optional field (repeatable): park, industry, high-risk, uscc, site-area, employees, surplus-workers, capacity, new-capacity, listed-in-plan, priority."
        )
        var clear: [EnterpriseClearField] = []
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func validate() throws {
            let given: [(String, String?)] = [
                ("name", name), ("plan", plan), ("park", park), ("industry", industry),
                ("high-risk", highRisk?.text),
                ("uscc", uscc), ("capacity", capacity), ("new-capacity", newCapacity),
            ]
            for (option, value) in given where value?.trimmingCharacters(in: .whitespaces).isEmpty == true {
                throw ValidationError(
                    "--\(option) \"\(value!)\" is empty: to clear the field say --clear \(option)")
            }
            for field in clear {
                let set: Bool
                switch field {
                case .park: set = park != nil
                case .industry: set = industry != nil
                case .highRisk: set = highRisk != nil
                case .uscc: set = uscc != nil
                case .siteArea: set = siteHa != nil || siteMu != nil
                case .employees: set = employees != nil
                case .surplusWorkers: set = surplusWorkers != nil
                case .capacity: set = capacity != nil
                case .newCapacity: set = newCapacity != nil
                case .listedInPlan: set = listedInPlan != nil
                case .priority: set = priority != nil
                }
                if set { throw ValidationError("--clear \(field.rawValue) and a new value for it: give one of them") }
            }
            if siteHa != nil && siteMu != nil { throw ValidationError("give --site-ha or --site-mu, not both") }
        }

        func execute() throws {
            let connection = try session.open().connection
            let capacity = try Enterprises.Capacity.parse(self.capacity, option: "--capacity", in: connection)
            let newCapacity = try Enterprises.Capacity.parse(self.newCapacity, option: "--new-capacity", in: connection)
            var edit = Enterprises.Edit()
            edit.name = name
            edit.plan = plan
            edit.mode = mode
            edit.park = park
            edit.industry = industry
            edit.highRisk = highRisk?.value
            edit.uscc = uscc
            edit.siteArea = LandArea(hectares: siteHa?.value, mu: siteMu?.value)
            edit.employees = employees
            edit.surplusWorkers = surplusWorkers
            edit.capacity = capacity
            edit.newCapacity = newCapacity
            edit.listedInPlan = listedInPlan?.value
            edit.priority = priority
            edit.clear = clear
            try Enterprises(connection).edit(id, edit)
            Console.write("updated enterprise \(id)\n")
        }
    }

    struct Advance: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "advance",
            abstract: "Move an enterprise one step forward (--to the next status).",
            discussion: """
                Every mode starts with the industrial-heritage survey (§四(五)): registered → heritage-surveyed, \
                then relocate: → relocating → relocated; close: → closing → closed; in-situ: → renovating → \
                renovated. A skipped step, a repeated one, a status of another mode, or a date in the future, \
                before the step before it or before 2014 is refused (exit 65). The step is kept in the status \
                history (enterprise show) and closes the enterprise's milestones it satisfies.
                """
        )
        @Argument(help: "Enterprise id.") var id: Int64
        @Option(help: "The next status.") var to: EnterpriseStatus
        @Option(help: "Document number (文号).") var doc: String?
        @Option(help: "Date of the step (default today, Asia/Shanghai).") var on: CalendarDate?
        @Option(help: "A note for the record.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Enterprises(session.open().connection).advance(id, to: to.rawValue, doc: doc, on: on, note: note)
            Console.write("enterprise \(id) is now \(to.rawValue)\n")
        }
    }

    struct Import: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract:
                "Register many enterprises from a CSV file (UTF-8 or GB18030) or an .xlsx workbook, all or nothing.",
            discussion: """
                Header row with any of: \(EnterpriseImport.columns.joined(separator: ", ")) (plan, name required; an \
                empty or missing mode is unknown). \
                Full-width digits and surrounding spaces are accepted; a BOM and CRLF line ends too. A CSV file that is \
                not UTF-8 but GB18030 (Excel's "CSV" in Chinese) is read as such, with a note. A workbook (.xlsx): its \
                first sheet or --sheet NAME; numbers and dates from typed cells or text, a formula's saved result. If \
                any row is bad, nothing is written and every bad row is listed (FILE:LINE, or FILE.xlsx:Sheet!ROW); exit 65.
                """)
        @Argument(help: "The CSV file or .xlsx workbook.") var file: String
        @Option(help: "The CSV file's encoding: utf-8 or gb18030 (also gbk); default: found from the bytes.")
        var encoding: String?
        @Option(help: ArgumentHelp("The workbook's sheet to import (default: the first).", valueName: "NAME"))
        var sheet: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            if ImportFileKind.isWorkbook(file) {
                if encoding != nil {
                    throw ValidationError("--encoding is for a CSV file; a workbook's text is Unicode")
                }
                var meter = ProgressMeter(total: 0, verb: "copied", quiet: output.quiet)
                var importer = EnterpriseImport(try session.open().connection)
                importer.progress = { done, total in meter.update(done, of: total) }
                let (sheetName, outcome) = try importer.run(workbook: file, sheet: sheet)
                meter.clear()
                try report(outcome, naming: { "\(file):\(sheetName)!\($0)" })
                return
            }
            if sheet != nil { throw ValidationError("--sheet is for an .xlsx workbook; a CSV file has one table") }
            var chosen: CSVEncoding? = nil
            if let encoding {
                guard let named = CSVEncoding(name: encoding) else {
                    throw ValidationError("--encoding must be utf-8 or gb18030 (got \"\(encoding)\")")
                }
                chosen = named
            }
            let (text, detected) = try CSVFile.read(file, encoding: chosen)
            if detected == .gb18030 {
                Console.error(
                    "reloc: note: \(file) is not UTF-8 text; read as GB18030 (Excel's CSV in Chinese); --encoding chooses"
                )
            }
            var meter = ProgressMeter(total: 0, verb: "copied", quiet: output.quiet)
            var importer = EnterpriseImport(try session.open().connection)
            importer.progress = { done, total in meter.update(done, of: total) }
            let outcome = try importer.run(csv: text, source: file)
            meter.clear()
            try report(outcome, naming: { "\(file):\($0)" })
        }

        private func report(_ outcome: EnterpriseImport.Outcome, naming: (Int) -> String) throws {
            switch outcome {
            case .imported(let count):
                Console.write("imported \(count) enterprises from \(file)\n")
            case .rejected(let rows):
                for row in rows { Console.error("\(naming(row.line)): \(row.reason)") }
                throw RelocError.invalidInput(
                    "\(rows.count) bad row(s) in \(file); nothing was imported — correct them and import the whole file again"
                )
            }
        }
    }

    struct Withdraw: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "withdraw",
            abstract:
                "Withdraw an enterprise registered by mistake (its city or district government, or the province).",
            discussion: """
                The enterprise is not deleted: it stays on record with the reason, the date and your login (and in \
                reloc audit), is hidden from reloc enterprise list (--withdrawn shows it), and frees its name and USCC. \
                Refused (exit 65, rule enterprise_withdrawal) once land allocations or vacated sites rest on it, and \
                for an enterprise already withdrawn.
                """)
        @Argument(help: "Enterprise id.") var id: Int64
        @Option(help: "Why the entry is withdrawn.") var reason: String
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Enterprises(session.open().connection).withdraw(id, reason: reason)
            Console.write("withdrew enterprise \(id)\n")
        }
    }
}

/// The optional fields `enterprise edit --clear` empties (the store's own list).
typealias EnterpriseClearField = Enterprises.OptionalField

extension Enterprises.OptionalField: ExpressibleByArgument {}
