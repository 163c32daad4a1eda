import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// Who may do what, decided by PostgreSQL roles and row-level security: tried through the core,
/// through plain SQL as the organisation's role, and through the CLI.
@Suite("Permissions: province, own city, other city, department")
struct PermissionTests {
    func expectDenied(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected a permission refusal, but it was allowed", sourceLocation: sourceLocation)
        } catch {
            #expect(ErrorReport(error).status == .noPermission, "\(error)", sourceLocation: sourceLocation)
        }
    }

    /// Zero rows changed: row-level security hides the row from the acting organisation.
    func expectHidden(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected the row to be hidden, but the change went through", sourceLocation: sourceLocation)
        } catch {
            #expect(error is RelocError, "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func registering() throws {
        try RegisterFixture.with { fixture in
            #expect(try fixture.register(as: "JL") > 0)  // the province
            #expect(try fixture.register(as: "SP") > 0)  // 四平 into its own plan
            expectDenied { _ = try fixture.register(as: "CC") }  // 长春 into 四平's plan
            expectDenied { _ = try fixture.register(as: "JL-FGW") }  // a department
            let changchun = try fixture.acting("CC")
            expectDenied {
                try changchun.execute(
                    "INSERT INTO reloc.enterprise (plan_id, name, mode) SELECT id, 'x', 'close' FROM reloc.plan WHERE code = 'SP-TD'"
                )
            }
            let cli = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "CC-KC", "--name", "越界企业", "--mode", "close",
            ])
            #expect(cli.status == 77, "\(cli.stderr)")
            #expect(cli.stderr.contains("plan CC-KC belongs to the district CC-KC of the city CC"), "\(cli.stderr)")
            let ok = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "四平新企业", "--mode", "close",
            ])
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(Int(ok.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != nil)
        }
    }

    /// Through the CLI, a row that is not yours is a permission refusal (77), a row that does not
    /// exist is invalid input (65): every organisation can read the register, so they differ.
    @Test func notYoursIs77AndNotThereIs65() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register(as: "SP")
            for code in ["CC", "JL-FGW"] {
                let edit = try fixture.cli(["--as", code, "enterprise", "edit", "\(id)", "--employees", "5"])
                #expect(edit.status == 77, "\(code): \(edit.stderr)")
                #expect(edit.stderr.contains("enterprise \(id) is not yours to change"), "\(edit.stderr)")
                let advance = try fixture.cli(["--as", code, "enterprise", "advance", "\(id)", "--to", "closing"])
                #expect(advance.status == 77, "\(code): \(advance.stderr)")
                #expect(try fixture.cli(["--as", code, "plan", "edit", "SP-TD", "--safeguards", "x"]).status == 77)
            }
            // Registering into a plan not one's own: the words say what this organisation may do.
            let department = try fixture.cli([
                "--as", "JL-FGW", "enterprise", "register", "--plan", "SP-TD", "--name", "x", "--mode", "close",
            ])
            #expect(department.status == 77)
            #expect(
                department.stderr.contains("a provincial department registers no enterprises"), "\(department.stderr)")
            let district = try fixture.cli([
                "--as", "CC-KC", "enterprise", "register", "--plan", "SP-TD", "--name", "x", "--mode", "close",
            ])
            #expect(district.stderr.contains("its own district's plan"), "\(district.stderr)")
            let missing = try fixture.cli(["--as", "SP", "enterprise", "edit", "999999", "--employees", "5"])
            #expect(missing.status == 65, "\(missing.stderr)")
            #expect(missing.stderr.contains("no enterprise 999999"), "\(missing.stderr)")
        }
    }

    @Test func editingAndAdvancing() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register(as: "SP")
            var rename = Enterprises.Edit()
            rename.name = "改名企业"
            try Enterprises(try fixture.acting("SP")).edit(id, rename)
            try Enterprises(try fixture.acting("JL")).edit(id, rename)
            // Another city and a department do not even see a row to change.
            for code in ["CC", "JL-FGW"] {
                expectHidden { try Enterprises(try fixture.acting(code)).edit(id, rename) }
                #expect(
                    try fixture.acting(code).execute("UPDATE reloc.enterprise SET name = 'hijack' WHERE id = \(id)")
                        == 0)
                expectHidden { try Enterprises(try fixture.acting(code)).advance(id, to: "heritage-surveyed") }
            }
            #expect(
                try fixture.admin().query("SELECT name FROM reloc.enterprise WHERE id = \(id)").scalar(String.self)
                    == "改名企业")
            // 四平 may not move its enterprise into 长春's plan, nor set the city column.
            let sp = try fixture.acting("SP")
            expectDenied {
                try sp.execute(
                    "UPDATE reloc.enterprise SET plan_id = (SELECT id FROM reloc.plan WHERE code = 'CC-KC') WHERE id = \(id)"
                )
            }
            // The city follows the plan (a trigger sets it), so writing it changes nothing.
            try sp.execute(
                "UPDATE reloc.enterprise SET city_id = (SELECT id FROM reloc.organisation WHERE code = 'CC') WHERE id = \(id)"
            )
            #expect(
                try fixture.admin().query(
                    "SELECT o.code FROM reloc.enterprise e JOIN reloc.organisation o ON o.id = e.city_id WHERE e.id = \(id)"
                ).scalar(String.self) == "SP")
        }
    }

    @Test func plans() throws {
        try RegisterFixture.with { fixture in
            var change = Plans.Edit()
            change.safeguards = "加强组织领导"
            try Plans(try fixture.acting("SP")).edit("SP-TD", change)
            expectHidden { try Plans(try fixture.acting("CC")).edit("SP-TD", change) }
            expectHidden { try Plans(try fixture.acting("JL-ZJT")).edit("SP-TD", change) }
            expectDenied { try Plans(try fixture.acting("SP")).add(.init(code: "SP-NEW", name: "新方案", city: "SP")) }
            try Plans(try fixture.acting("JL")).add(.init(code: "SP-NEW", name: "新方案", city: "SP"))
            let sp = try fixture.acting("SP")
            expectDenied {
                try sp.execute(
                    "UPDATE reloc.plan SET city_id = (SELECT id FROM reloc.organisation WHERE code = 'CC') WHERE code = 'SP-TD'"
                )
            }
        }
    }

    @Test func parksAndOrganisationsAreTheProvincesToWrite() throws {
        try RegisterFixture.with { fixture in
            let park = Parks.NewPark(
                code: "SP-X", name: "x", city: "SP", kind: "themed-park", legallyEstablished: true,
                envInfrastructureComplete: true, planningEIAPassed: true)
            expectDenied { try Parks(try fixture.acting("SP")).add(park) }
            expectDenied { try Parks(try fixture.acting("JL-FGW")).add(park) }
            expectDenied {
                try Organisations(try fixture.acting("SP")).add(
                    .init(code: "SP-NEW", nameZh: "新区", nameEn: nil, kind: "district", parent: "SP", divisionCode: nil))
            }
            try Organisations(try fixture.acting("JL")).add(
                .init(code: "SP-NEW", nameZh: "新区", nameEn: nil, kind: "district", parent: "SP", divisionCode: nil))
        }
    }

    @Test func everyoneReadsTheRegister() throws {
        try RegisterFixture.with { fixture in
            _ = try fixture.register(as: "SP")
            let total = try fixture.admin().count("SELECT count(*) FROM reloc.enterprise")
            for code in ["JL", "SP", "CC", "JL-FGW"] {
                #expect(try fixture.acting(code).count("SELECT count(*) FROM reloc.enterprise") == total, "\(code)")
            }
        }
    }

    @Test func aLoginCannotEscapeItsOrganisation() throws {
        try RegisterFixture.with { fixture in
            let login = "clerk_\(UUID().uuidString.prefix(6).lowercased())"
            try Organisations(try fixture.acting("JL")).addLogin(
                login, organisation: "CC", password: "correct horse battery")
            defer { _ = try? fixture.admin().execute("DROP ROLE IF EXISTS \(identifier: login)") }
            let person = try TestDatabase.connect(fixture.database, user: login)
            // Acting as its own organisation works; as another, PostgreSQL refuses SET ROLE.
            try person.execute("SET ROLE reloc_org_cc")
            let other = #expect(throws: PGError.self) { try person.execute("SET ROLE reloc_org_sp") }
            #expect(other?.sqlState == "42501")
            // RESET ROLE returns to the login, which still acts only for 长春.
            try person.execute("RESET ROLE")
            expectDenied {
                try person.execute(
                    "INSERT INTO reloc.enterprise (plan_id, name, mode) SELECT id, 'x', 'close' FROM reloc.plan WHERE code = 'SP-TD'"
                )
            }
            try person.execute(
                "INSERT INTO reloc.enterprise (plan_id, name, mode) SELECT id, 'ok', 'close' FROM reloc.plan WHERE code = 'CC-KC'"
            )
            // A person may not create a view or function to get around the policies.
            for statement in [
                "CREATE VIEW reloc.all_enterprises AS SELECT * FROM reloc.enterprise",
                "CREATE VIEW public.all_enterprises AS SELECT * FROM reloc.enterprise",
                "CREATE FUNCTION public.sneak() RETURNS void SECURITY DEFINER LANGUAGE sql AS 'UPDATE reloc.enterprise SET name = name'",
                "ALTER TABLE reloc.enterprise DISABLE ROW LEVEL SECURITY",
            ] {
                let error = #expect(throws: PGError.self) { try person.execute(SQLQuery(unsafeSQL: statement)) }
                #expect(error?.sqlState == "42501", "\(statement): \(String(describing: error))")
            }
            // The CLI says the same: a login that is not a member may not act as 四平.
            let cli = try RelocCLI.run(
                ["enterprise", "list", "--as", "SP"], database: nil,
                environment: ["DATABASE_URL": try TestDatabase.url(of: fixture.database) + "&user=\(login)"])
            #expect(cli.status == 77, "\(cli.stderr)")
        }
    }
}
