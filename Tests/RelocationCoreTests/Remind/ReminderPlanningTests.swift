import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Which reminders the rules produce on which days, against the real database.
@Suite struct ReminderPlanningTests {
    /// Every day from 2014-12-01 to 2015-01-25 with a run: the reminders of a milestone due
    /// 2015-01-05 come on their days, across the month and year boundary, once each.
    @Test func theRightRemindersOnTheRightDays() throws {
        try RemindFixture.with { f in
            let plan = try f.milestone("拆除旧厂房", due: "2015-01-05", plan: "SP-TD")
            let site = try f.milestone("腾退土地交储", due: "2015-01-05", kind: "site-released", plan: "SP-TD")
            var day = RemindFixture.date("2014-12-01")
            var byDay: [String: [String]] = [:]
            var siteByDay: [String: [String]] = [:]
            while day <= RemindFixture.date("2015-01-25") {
                try f.run(asOf: day.description)
                let planned = try f.ledger(plan, plannedOn: day.description)
                if !planned.isEmpty { byDay[day.description] = planned }
                let sitePlanned = try f.ledger(site, plannedOn: day.description)
                if !sitePlanned.isEmpty { siteByDay[day.description] = sitePlanned }
                day = day.adding(days: 1)!
            }
            #expect(
                byDay == [
                    "2014-12-06": ["SP-TD before-30"],
                    "2014-12-29": ["SP-TD before-7"],
                    "2015-01-04": ["SP-TD before-1"],
                    "2015-01-05": ["SP-TD due"],
                    "2015-01-06": ["SP-TD overdue-1"],
                    "2015-01-13": ["SP-TD overdue-8"],
                    "2015-01-19": ["JL escalation-14"],
                    "2015-01-20": ["SP-TD overdue-15"],
                ])
            // A site milestone escalates to the city government too (§四(四) 腾退土地).
            #expect(siteByDay["2015-01-19"] == ["JL escalation-14", "SP escalation-14"])
            // Every reminder went out once: one message per recipient per day that had any.
            let lines = try RemindFixture.keys(inJSONLines: f.outbox)
            #expect(lines.count == Set(lines).count)
            #expect(try f.messages().allSatisfy { $0.state == "sent" })
        }
    }

    @Test func anEnterpriseMilestoneEscalatesToItsCity() throws {
        try RemindFixture.with { f in
            let enterprise = try f.db.query("SELECT name FROM reloc.enterprise ORDER BY id LIMIT 1").scalar(String.self)
            let city = try f.db.query(
                "SELECT o.code FROM reloc.enterprise e JOIN reloc.organisation o ON o.id = e.city_id WHERE e.name = \(enterprise)"
            ).scalar(String.self)
            let id = try f.milestone("完成工业遗产普查", due: "2015-03-01", kind: "heritage-surveyed", enterprise: enterprise)
            try f.run(asOf: "2015-03-20")
            #expect(try f.ledger(id) == ["\(city) escalation-14", "\(city) overdue-15", "JL escalation-14"].sorted())
        }
    }

    /// A vacated site's milestone goes to its owner (the plan's district) and escalates to the
    /// site's city and the province; the digest says it belongs to the site.
    @Test func aSiteMilestoneEscalatesToTheSitesCity() throws {
        try RemindFixture.with { f in
            let site = try f.db.query(
                "INSERT INTO reloc.site (plan_id, name, area_ha) SELECT id, '铁东旧厂区地块', 12 FROM reloc.plan WHERE code = 'SP-TD' RETURNING id"
            ).scalar(Int64.self)
            let id = try f.db.query(
                "INSERT INTO reloc.milestone (kind, title, due_on, site_id) VALUES ('site-assessed', '地块环境调查评估', '2015-03-01', \(site)) RETURNING id"
            ).scalar(Int64.self)
            try f.run(asOf: "2015-03-20")
            #expect(try f.ledger(id) == ["JL escalation-14", "SP escalation-14", "SP-TD overdue-15"])
            let outbox = try String(contentsOfFile: f.outbox, encoding: .utf8).filter { $0 != " " }
            #expect(outbox.contains("\"type\":\"site\""), "\(outbox)")
            #expect(outbox.contains("铁东旧厂区地块"))
        }
    }

    /// After days without a run, each milestone gets only its most recent reminder.
    @Test func catchingUpSendsOnlyTheLatestReminder() throws {
        try RemindFixture.with { f in
            let id = try f.milestone("拆除旧厂房", due: "2015-01-05", plan: "SP-TD")
            try f.run(asOf: "2014-11-01")
            #expect(try f.ledger(id).isEmpty)
            try f.run(asOf: "2015-01-16")
            #expect(try f.ledger(id) == ["SP-TD overdue-8"])
            try f.run(asOf: "2015-02-01")
            #expect(try f.ledger(id, plannedOn: "2015-02-01") == ["JL escalation-14", "SP-TD overdue-22"])
            // The digest of that late run says how late it is.
            let lines = try String(contentsOfFile: f.outbox, encoding: .utf8).split(separator: "\n")
            let tiedong = try #require(lines.last { $0.contains("\"recipient\":{\"code\":\"SP-TD\"") })
            #expect(tiedong.contains("拆除旧厂房") && tiedong.contains("已逾期27天"))
        }
    }

    @Test func aDoneMilestoneIsNotRemindedAndAReopenedOneIs() throws {
        try RemindFixture.with { f in
            let id = try f.milestone("拆除旧厂房", due: "2015-01-05", plan: "SP-TD", done: "2015-01-02")
            try f.run(asOf: "2015-01-05")
            try f.run(asOf: "2015-01-20")
            #expect(try f.ledger(id).isEmpty)
            // Done later than the date planned for: still open on that date.
            let later = try f.milestone("清理场地", due: "2015-01-25", plan: "SP-TD", done: "2015-01-28")
            try f.run(asOf: "2015-01-26")
            #expect(try f.ledger(later) == ["SP-TD overdue-1"])
            // Reopened: reminded again, without repeating what was sent.
            try f.db.execute("UPDATE reloc.milestone SET done_on = NULL WHERE id = \(later)")
            try f.run(asOf: "2015-01-26")
            try f.run(asOf: "2015-02-02")
            #expect(try f.ledger(later) == ["SP-TD overdue-1", "SP-TD overdue-8"])
            // A moved due date starts afresh.
            try f.db.execute("UPDATE reloc.milestone SET due_on = '2015-03-01' WHERE id = \(later)")
            try f.run(asOf: "2015-02-22")
            #expect(try f.ledger(later, plannedOn: "2015-02-22") == ["SP-TD before-7"])
        }
    }

    /// Task 14 is assigned to 省国土资源厅 (JL-GTT) as printed; from 2018-10-01 省自然资源厅
    /// (JL-ZRT) holds its work and receives its reminders.
    @Test func aRenamedDepartmentReceivesThroughItsSuccessor() throws {
        try RemindFixture.with { f in
            // Co-responsible departments of a task hear too (task 3: 工信厅 leads, 财政厅, 发改委, 能源局).
            let shared = try f.milestone("落后产能淘汰支持政策", due: "2015-06-30", task: 3)
            try f.run(asOf: "2015-06-30")
            #expect(try f.ledger(shared) == ["JL-CZT due", "JL-FGW due", "JL-GXT due", "JL-NYJ due"])
            let before = try f.milestone("下达年度用地计划", due: "2017-06-01", task: 14, owner: "JL-GTT")
            let after = try f.milestone("下达年度用地计划", due: "2019-06-01", task: 14, owner: "JL-GTT")
            try f.run(asOf: "2017-05-31")
            #expect(try f.ledger(before) == ["JL-GTT before-1"])
            try f.run(asOf: "2019-05-31")
            #expect(try f.ledger(after) == ["JL-ZRT before-1"])
        }
    }

    @Test func rulesPerKindChangeWhatIsSent() throws {
        try RemindFixture.with { f in
            let outcome = try f.cli([
                "remind", "rules", "set", "custom", "--before", "3", "--on-due", "no", "--escalate-after", "never",
                "--as", "JL",
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let id = try f.milestone("拆除旧厂房", due: "2015-01-05", plan: "SP-TD")
            try f.run(asOf: "2014-12-29")
            #expect(try f.ledger(id).isEmpty)
            try f.run(asOf: "2015-01-02")
            try f.run(asOf: "2015-01-05")
            try f.run(asOf: "2015-01-25")
            #expect(try f.ledger(id) == ["SP-TD before-3", "SP-TD overdue-15"])
            // Another kind keeps the default.
            let other = try f.milestone("编制方案", due: "2015-01-25", kind: "plan-compiled", plan: "SP-TD")
            try f.run(asOf: "2015-01-25")
            #expect(try f.ledger(other) == ["SP-TD due"])
        }
    }

    @Test func withoutADateTheRunPlansForTodayInShanghai() throws {
        try RemindFixture.with { f in
            let summary = try f.run(asOf: nil)
            #expect(summary.asOf == CalendarDate.today(in: TimeZone(identifier: "Asia/Shanghai")!))
        }
    }

    @Test func theDigestCarriesTheLatestProgress() throws {
        try RemindFixture.with { f in
            let id = try f.milestone("拆除旧厂房", due: "2015-01-05", plan: "SP-TD")
            try f.db.execute(
                "INSERT INTO reloc.progress_report (milestone_id, percent, status, note) VALUES (\(id), 20, 'on-track', '开始拆除')"
            )
            try f.db.execute(
                "INSERT INTO reloc.progress_report (milestone_id, percent, status, note) VALUES (\(id), 40, 'at-risk', '资金未到位')"
            )
            try f.run(asOf: "2015-01-04")
            let line = try #require(
                try String(contentsOfFile: f.outbox, encoding: .utf8).split(separator: "\n").first {
                    $0.contains("拆除旧厂房")
                })
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let item = try #require(
                (object["items"] as? [[String: Any]])?.first { $0["milestone_id"] as? Int == Int(id) })
            let progress = try #require(item["latest_progress"] as? [String: Any])
            #expect(progress["status"] as? String == "at-risk" && progress["percent"] as? Double == 40)
            #expect((object["text"] as? String)?.contains("最新进展：40%，存在风险") == true)
            #expect((object["text"] as? String)?.contains("资金未到位") == true)
        }
    }

    /// A digest lists at most --max-items items, the longest overdue first, and counts the rest;
    /// every reminder stays in the ledger, linked to the message.
    @Test func aLongDigestListsTheMostUrgentAndCountsTheRest() throws {
        try RemindFixture.with { f in
            for day in 1...5 { try f.milestone("节点\(day)", due: "2015-01-0\(day)", plan: "SP-TD") }
            try f.run(asOf: "2015-01-06") { $0.maxItems = 2 }
            // 铁东区's digest: the seeded plan compilation (due 2014-12-31) is the longest overdue.
            let line = try #require(
                try String(contentsOfFile: f.outbox, encoding: .utf8).split(separator: "\n").first {
                    $0.contains("\"recipient\":{\"code\":\"SP-TD\"")
                })
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let titles = (object["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String }
            #expect(titles == ["搬迁改造规划和实施方案编制完成（四平铁东）", "节点1"])
            #expect(object["omitted"] as? Int == 4)
            #expect((object["text"] as? String)?.contains("另有4项节点未在此列出") == true)
            #expect((object["subject"] as? String)?.contains("已逾期2项，另有4项") == true)
            let linked = try f.db.query(
                "SELECT count(*) FROM reloc.reminder r JOIN reloc.milestone m ON m.id = r.milestone_id WHERE r.message_id IS NOT NULL AND m.title LIKE '节点%'"
            ).scalar(Int.self)
            #expect(linked == 5)
        }
    }
}
