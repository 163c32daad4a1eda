import LibPQClient

extension Enterprises {
    /// Whether the acting organisation may change the enterprise, as row-level security says: a
    /// row lock (FOR KEY SHARE) is granted only on rows the UPDATE policies let the role change
    /// (PostgreSQL applies them to SELECT … FOR UPDATE/SHARE), so the policies of 30_register.sql
    /// decide here too and are not restated. reloc-web asks it before showing an edit or advance
    /// form (another city's, a department's: 403 with the rule's words); the POST is decided by
    /// the same policies whatever the page showed. Throws notFound for no such enterprise.
    public func mayChange(_ id: Int64) throws -> Bool {
        _ = try show(id)
        return !(try db.query("SELECT 1 FROM reloc.enterprise WHERE id = \(id) FOR KEY SHARE").rows.isEmpty)
    }
}
