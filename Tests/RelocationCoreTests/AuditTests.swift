import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The audit trail (migration 0003): every change recorded with login, acting organisation and
/// old/new values; nobody but the owner changes it; `reloc audit` reads it.
@Suite("Audit trail")
struct AuditTests {
    /// The audit rows of one enterprise, oldest first, as the superuser sees them: action, login,
    /// acting role, organisation, row key, new name, old name, new employees, old employees.
    func trail(_ fixture: RegisterFixture, enterprise id: Int64) throws -> [[String?]] {
        try fixture.admin().query(
            """
            SELECT action, login, acting_role, acting_org_code, row_key, new_values ->> 'name', old_values ->> 'name',
                   new_values ->> 'employees', CASE WHEN old_values ? 'employees' THEN coalesce(old_values ->> 'employees', 'null') END
            FROM reloc.audit WHERE table_name = 'enterprise' AND row_id = \(id) ORDER BY id
            """
        ).rows.map { row in try (0..<row.count).map { try row.decode(String?.self, at: $0) } }
    }

    @Test func aRegistrationAndAnEditBy四平AreRecorded() throws {
        try RegisterFixture.with { fixture in
            let registered = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "四平审计企业", "--mode", "close",
            ])
            #expect(registered.status == 0, "\(registered.stderr)")
            let id = try #require(Int64(registered.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            let edited = try fixture.cli(["enterprise", "edit", String(id), "--as", "SP", "--employees", "120"])
            #expect(edited.status == 0, "\(edited.stderr)")

            let login = try fixture.admin().query("SELECT session_user::text").scalar(String.self)
            let rows = try trail(fixture, enterprise: id)
            #expect(rows.count == 2)
            // The insert: the whole new row.
            #expect(rows.first == ["insert", login, "reloc_org_sp", "SP", String(id), "四平审计企业", nil, nil, nil])
            // The update: the whole old row (employees was null), the changed columns as new values.
            #expect(rows.last == ["update", login, "reloc_org_sp", "SP", String(id), nil, "四平审计企业", "120", "null"])
        }
    }

    /// Issue 4's acceptance: a progress report shows in `task show` and in `audit`.
    @Test func aProgressReportIsRecordedAndTasksAreKeyedByNumber() throws {
        try RegisterFixture.with { fixture in
            let report = try fixture.cli([
                "--as", "JL-GXT", "task", "progress", "3", "--percent", "40", "--note", "名单已梳理",
            ])
            #expect(report.status == 0, "\(report.stderr)")
            let shown = try fixture.cli(["task", "show", "3"])
            #expect(shown.stdout.contains("名单已梳理"), "\(shown.stdout)")
            let audit = try fixture.cli(["--as", "JL-GXT", "audit", "--table", "progress_report", "--format", "json"])
            #expect(audit.status == 0, "\(audit.stderr)")
            #expect(audit.stdout.contains("\"org\": \"JL-GXT\""), "\(audit.stdout)")
            #expect(audit.stdout.contains("名单已梳理"), "\(audit.stdout)")
            let added = try fixture.cli(["--as", "JL", "task", "add", "--title", "审计测试任务", "--number", "99"])
            #expect(added.status == 0, "\(added.stderr)")
            let task = try fixture.cli(["audit", "--table", "task", "--key", "99", "--format", "csv"])
            #expect(task.stdout.contains("审计测试任务"), "\(task.stdout)")
            for table in ["task_assignment", "milestone"] {
                let listed = try fixture.cli(["audit", "--table", table])
                #expect(listed.status == 0, "\(table) is audited: \(listed.stderr)")
            }
        }
    }

    @Test func aPersonsLoginAndOrganisationAreRecorded() throws {
        try RegisterFixture.with { fixture in
            let login = "clerk_\(UUID().uuidString.prefix(6).lowercased())"
            try Organisations(try fixture.acting("JL")).addLogin(
                login, organisation: "SP", password: "correct horse battery")
            defer { _ = try? fixture.admin().execute("DROP ROLE IF EXISTS \(identifier: login)") }
            // Acting as the login itself (no SET ROLE): the organisation is found through its membership.
            let person = try TestDatabase.connect(fixture.database, user: login)
            let id = try Enterprises(person).register(.init(plan: "SP-TD", name: "登录企业", mode: "close"))
            #expect(try trail(fixture, enterprise: id).first?.prefix(4) == ["insert", login, login, "SP"])
        }
    }

    @Test(arguments: ["JL", "SP", "SP-TD", "JL-FGW"])
    func nobodyChangesTheAudit(code: String) throws {
        try RegisterFixture.with { fixture in
            _ = try fixture.register(as: "SP")
            let before = try fixture.admin().count("SELECT count(*) FROM reloc.audit")
            let acting = try fixture.acting(code)
            for statement in [
                "UPDATE reloc.audit SET login = 'forged'",
                "DELETE FROM reloc.audit",
                "TRUNCATE reloc.audit",
                """
                INSERT INTO reloc.audit (table_name, row_key, action, new_values, login, acting_role, transaction_id, at)
                VALUES ('enterprise', '1', 'insert', '{}', 'forged', 'forged', 1, now())
                """,
                "ALTER TABLE reloc.audit DISABLE ROW LEVEL SECURITY",
                "DROP TRIGGER audit_row ON reloc.enterprise",
                "SELECT reloc.audit_table('reloc.rule'::regclass)",
            ] {
                let error = #expect(throws: PGError.self, "\(code): \(statement)") {
                    try acting.execute(SQLQuery(unsafeSQL: statement))
                }
                #expect(error?.sqlState == "42501", "\(code): \(statement): \(String(describing: error))")
            }
            // Nor can it borrow the owner's trigger functions for a table of its own to forge rows.
            try acting.execute("CREATE TEMPORARY TABLE forged (id bigint, code text)")
            for function in ["audit_row", "audit_insert"] {
                let error = #expect(throws: PGError.self) {
                    try acting.execute(
                        SQLQuery(
                            unsafeSQL: """
                                CREATE TRIGGER forge AFTER INSERT ON pg_temp.forged REFERENCING NEW TABLE AS audit_new_rows
                                FOR EACH STATEMENT EXECUTE FUNCTION reloc.\(function)('code', '')
                                """))
                }
                #expect(error?.sqlState == "42501", "\(code): \(function)")
            }
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.audit") == before)
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.audit WHERE login = 'forged'") == 0)
        }
    }

    @Test func theProvinceReadsEverythingOthersTheirOwnActions() throws {
        try RegisterFixture.with { fixture in
            let siping = try fixture.register(as: "SP")
            let changchun = try Enterprises(try fixture.acting("CC")).register(
                .init(plan: "CC-KC", name: "长春审计企业", mode: "close"))
            func visible(_ code: String, _ id: Int64) throws -> Int {
                try fixture.acting(code).count(
                    "SELECT count(*) FROM reloc.audit WHERE table_name = 'enterprise' AND row_id = \(id)")
            }
            #expect(try visible("JL", siping) == 1 && visible("JL", changchun) == 1)
            #expect(try visible("SP", siping) == 1 && visible("SP", changchun) == 0)
            #expect(try visible("CC", siping) == 0 && visible("CC", changchun) == 1)
            #expect(try visible("JL-FGW", siping) == 0 && visible("JL-FGW", changchun) == 0)
            let cli = try fixture.cli(["audit", "--as", "SP", "--table", "enterprise", "--format", "json"])
            #expect(cli.status == 0, "\(cli.stderr)")
            #expect(cli.stdout.contains("\"row_id\": \(siping)") && !cli.stdout.contains("长春审计企业"))
        }
    }

    @Test func aRolledBackChangeLeavesNoAuditRow() throws {
        try RegisterFixture.with { fixture in
            let before = try fixture.admin().count("SELECT count(*) FROM reloc.audit")
            let sp = try fixture.acting("SP")
            struct Abandon: Error {}
            #expect(throws: Abandon.self) {
                try sp.withTransaction { db in
                    try db.execute(
                        "INSERT INTO reloc.enterprise (plan_id, name, mode) SELECT id, '回滚企业', 'close' FROM reloc.plan WHERE code = 'SP-TD'"
                    )
                    #expect(try db.count("SELECT count(*) FROM reloc.audit WHERE new_values ->> 'name' = '回滚企业'") == 1)
                    throw Abandon()
                }
            }
            // A command the database refuses (a rule, exit 65) leaves nothing either.
            let refused = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "无园区企业", "--mode", "relocate",
            ])
            #expect(refused.status == 65)
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.audit") == before)
        }
    }

    /// An update that changed nothing but the database's stamp (updated_at) records nothing
    /// (a completion or extension request writes its milestone only for REPEATABLE READ's sake);
    /// one that changed anything else is recorded.
    @Test func anUpdateThatChangedOnlyTheStampRecordsNothing() throws {
        try RegisterFixture.with { fixture in
            let admin = try fixture.admin()
            let id = try admin.query("SELECT min(id) FROM reloc.milestone WHERE done_on IS NULL").scalar(Int64.self)
            func updates() throws -> Int {
                try admin.count(
                    "SELECT count(*) FROM reloc.audit WHERE table_name = 'milestone' AND row_id = \(id) AND action = 'update'"
                )
            }
            let before = try updates()
            try admin.execute("UPDATE reloc.milestone SET title = title WHERE id = \(id)")
            #expect(try updates() == before)
            try admin.execute("UPDATE reloc.milestone SET title = title || '（改）' WHERE id = \(id)")
            #expect(try updates() == before + 1)
        }
    }

    @Test func importsAreRecordedRowByRow() throws {
        try RegisterFixture.with { fixture in
            let csv = "plan,name,mode\nSP-TD,导入一,close\nSP-TD,导入二,in-situ\nSP-TD,导入三,close\n"
            #expect(try EnterpriseImport(try fixture.acting("SP")).run(csv: csv) == .imported(count: 3))
            let rows = try fixture.admin().query(
                """
                SELECT new_values ->> 'name', acting_org_code, row_key = row_id::text FROM reloc.audit
                WHERE table_name = 'enterprise' AND new_values ->> 'name' LIKE '导入%' ORDER BY id
                """
            ).decode((String, String, Bool).self)
            #expect(rows.map(\.0) == ["导入一", "导入二", "导入三"])
            #expect(rows.allSatisfy { $0.1 == "SP" && $0.2 })
        }
    }

    @Test func deletesKeepTheWholeRowAndPlansAreKeyedByCode() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register(as: "SP")
            try fixture.acting("JL").execute("DELETE FROM reloc.enterprise WHERE id = \(id)")
            let deleted = try fixture.admin().query(
                "SELECT acting_org_code, old_values ->> 'plan_id', new_values IS NULL FROM reloc.audit WHERE row_id = \(id) AND action = 'delete'"
            ).decode((String, String, Bool).self)
            #expect(deleted.count == 1 && deleted[0].0 == "JL" && deleted[0].2)
            try Plans(try fixture.acting("SP")).advance("SP-TD", to: "consultation", doc: nil, on: nil, note: "征求意见")
            let keys = try fixture.admin().query(
                "SELECT table_name || ':' || row_key FROM reloc.audit WHERE action = 'update' AND table_name = 'plan'"
            ).decode(String.self)
            #expect(keys == ["plan:SP-TD"])
        }
    }

    @Test func auditTableIsIdempotentAndOnlyForOurTables() throws {
        try TestDatabase.withConnection { db in
            try db.execute("SET ROLE reloc_owner")
            try db.execute("SELECT reloc.audit_table('reloc.park'::regclass)")
            try db.execute("SELECT reloc.audit_table('reloc.park'::regclass, ignored_columns => ARRAY['name'])")
            #expect(
                try db.count(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'reloc.park'::regclass AND tgname LIKE 'audit%'")
                    == 2)
            for target in ["reloc.audit", "pg_catalog.pg_class"] {
                let error = #expect(throws: PGError.self) {
                    try db.execute("SELECT reloc.audit_table(\(target)::regclass)")
                }
                #expect(error?.sqlState == "22023", "\(target)")
            }
            let error = #expect(throws: PGError.self) {
                try db.execute("SELECT reloc.audit_table('reloc.park'::regclass, ARRAY['no_such_column'])")
            }
            #expect(error?.sqlState == "22023")
        }
    }

    @Test func theCommandFilters() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register(as: "SP")
            _ = try Enterprises(try fixture.acting("CC")).register(.init(plan: "CC-KC", name: "长春企业", mode: "close"))
            #expect(
                try fixture.cli(["enterprise", "edit", String(id), "--as", "SP", "--employees", "120"]).status == 0)
            try Plans(try fixture.acting("SP")).advance("SP-TD", to: "consultation", doc: nil, on: nil, note: nil)

            let table = try fixture.cli(["audit", "--table", "enterprise", "--key", String(id)])
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n").dropFirst(2)
            #expect(lines.count == 2)
            #expect(lines.allSatisfy { $0.contains(" SP ") && $0.contains("enterprise") })
            #expect(table.stdout.contains("employees: ∅→120"))
            #expect(
                table.stdout.split(separator: "\n").first?.split(separator: " ").map(String.init)
                    == ["time", "login", "org", "table", "key", "action", "changes"])

            let plan = try fixture.cli(["audit", "--key", "sp-td", "--table", "reloc.plan", "--format", "csv"])
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(
                plan.stdout.hasPrefix(
                    "id,at,login,acting_role,org,table,key,row_id,action,changed,old,new,transaction_id\r\n"))
            #expect(plan.stdout.contains("drafting") && plan.stdout.contains("consultation"))

            let byOrg = try fixture.cli(["audit", "--org", "CC", "--format", "json"])
            #expect(byOrg.status == 0, "\(byOrg.stderr)")
            #expect(byOrg.stdout.contains("长春企业") && !byOrg.stdout.contains("\"org\": \"SP\""))

            let today = try fixture.admin().query("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date::text").scalar(
                String.self)
            let since = try fixture.cli(["audit", "--since", today, "--org", "SP", "--format", "json"])
            #expect(since.stdout.contains("\"action\": \"update\""))
            let future = try fixture.cli(["audit", "--since", "2999-01-01"])
            #expect(future.status == 0 && future.stdout.split(separator: "\n").count == 2)
            let limited = try fixture.cli(["audit", "--limit", "1", "--format", "json"])
            #expect(
                limited.stdout.contains("\"table\": \"plan\"")
                    && limited.stdout.split(separator: "\n").count == 3)

            let unknownTable = try fixture.cli(["audit", "--table", "nothing"])
            #expect(unknownTable.status == 65 && unknownTable.stderr.contains("audited tables"))
            #expect(try fixture.cli(["audit", "--org", "NOWHERE"]).status == 65)
            #expect(try fixture.cli(["audit", "--since", "yesterday"]).status == 65)  // docs/operations.md#exit-codes
        }
    }
}
