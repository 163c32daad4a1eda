import LibPQClient

extension Enterprises {
    /// A 统一社会信用代码 is registered once: when it is taken, say which enterprise holds it (id,
    /// name, plan), so the city can find the entry, if the acting organisation may see that row
    /// (row-level security decides; otherwise the refusal says only that the code is taken).
    public func namingTheUSCCHolder<T>(_ uscc: String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PGError
            where error.sqlState == "23505" && error.constraint == "enterprise_uscc_key" && !db.isInTransaction
        {
            guard let uscc,
                let row = try? db.query(
                    """
                    SELECT e.id, e.name, p.code FROM reloc.enterprise e JOIN reloc.plan p ON p.id = e.plan_id
                    WHERE e.uscc = \(uscc)
                    """
                ).rows.first,
                let id = try? row.decode(Int64.self, at: 0), let name = try? row.decode(String.self, at: 1),
                let plan = try? row.decode(String.self, at: 2)
            else { throw error }
            throw RuleViolation(
                rule: "enterprise_uscc_key", detail: "uscc \(uscc) is held by enterprise \(id) \(name) (plan \(plan))")
        }
    }
}
