import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// /healthz (the database answers and its schema is this build's), /metrics, the stylesheet.
extension Web {
    func health(_ request: Request, _ context: WebContext) async throws -> Response {
        do {
            let pending = try await database { db in
                let runner = try MigrationRunner.bundled()
                let migrations = try runner.status(db).filter { $0.applied == nil }.map { $0.migration.fileName }
                let definitions = try runner.definitionStatus(db).contains { $0.pending }
                return migrations + (definitions ? ["definitions"] : [])
            }
            guard pending.isEmpty else {
                return Reply.text(
                    "not migrated: \(pending.joined(separator: ", ")) pending; run `reloc db migrate`\n",
                    type: "text/plain; charset=utf-8", status: .serviceUnavailable)
            }
            return Reply.text("ok\n", type: "text/plain; charset=utf-8")
        } catch {
            logger.error("health check failed", metadata: ["error": "\(error)"])
            return Reply.text(
                "database unavailable\n", type: "text/plain; charset=utf-8", status: .serviceUnavailable)
        }
    }

    func metricsText(_ request: Request, _ context: WebContext) async throws -> Response {
        Reply.text(metrics.render(pool: await pool.stats), type: "text/plain; version=0.0.4; charset=utf-8")
    }

    func stylesheet(_ request: Request, _ context: WebContext) async throws -> Response {
        var response = Reply.text(Stylesheet.css, type: "text/css; charset=utf-8")
        response.headers[.cacheControl] = "max-age=3600"
        return response
    }

    func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: WebMiddleware(web: self))
        router.get("/healthz", use: health)
        router.get("/metrics", use: metricsText)
        router.get("/static/reloc.css", use: stylesheet)
        router.get("/signin", use: signInPage)
        router.post("/signin", use: signIn)
        router.post("/signout", use: signOut)
        router.get("/", use: homePage)
        router.get("/api/v1/home", use: homeAPI)
        router.get("/tasks", use: tasksPage)
        router.get("/api/v1/tasks", use: tasksAPI)
        router.get("/api/v1/milestones", use: milestonesAPI)
        router.get("/tasks/:id") { try await self.subjectPage($0, $1, kind: "task") }
        router.get("/milestones/:id") { try await self.subjectPage($0, $1, kind: "milestone") }
        router.get("/api/v1/tasks/:id") { try await self.subjectAPI($0, $1, kind: "task") }
        router.get("/api/v1/milestones/:id") { try await self.subjectAPI($0, $1, kind: "milestone") }
        router.post("/tasks/:id/progress") { try await self.reportProgress($0, $1, kind: "task") }
        router.post("/milestones/:id/progress") { try await self.reportProgress($0, $1, kind: "milestone") }
        router.post("/milestones/:id/done", use: markDone)
        router.get("/enterprises", use: enterprisesPage)
        router.get("/api/v1/enterprises", use: enterprisesAPI)
        router.get("/enterprises/new", use: registerPage)
        router.post("/enterprises/new", use: registerPost)
        router.get("/enterprises/import", use: importPage)
        router.post("/enterprises/import", use: importPost)
        router.get("/enterprises/:id", use: enterprisePage)
        router.get("/enterprises/:id/edit", use: editPage)
        router.post("/enterprises/:id/edit", use: editPost)
        router.get("/enterprises/:id/advance", use: advancePage)
        router.post("/enterprises/:id/advance", use: advancePost)
        router.post("/api/v1/enterprises", use: registerAPI)
        router.post("/api/v1/enterprises/import", use: importAPI)
        router.get("/api/v1/enterprises/:id", use: enterpriseAPI)
        router.post("/api/v1/enterprises/:id/edit", use: editAPI)
        router.post("/api/v1/enterprises/:id/advance", use: advanceAPI)
        router.get("/api/v1/me", use: meAPI)
        router.get("/audit/:table/:key", use: auditPage)
        router.get("/api/v1/audit/:table/:key", use: auditAPI)
        router.get("/admin/sessions", use: sessionsPage)
        router.get("/api/v1/sessions", use: sessionsAPI)
        router.post("/admin/sessions/:id/end", use: endSession)
        addPlanLandReminderRoutes(router)
        return router
    }
}
