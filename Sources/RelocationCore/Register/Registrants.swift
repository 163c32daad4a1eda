import LibPQClient

/// Who registers enterprises (§四(二): the city and district governments; the province): a
/// provincial department registers none. Asked before a register or an import is read, so a
/// department's attempt is refused in that rule's words (enterprise_register_department, 77)
/// — the same for `enterprise register`, `enterprise import` and the web desk's forms — rather
/// than as a plan "not in your city" line by line.
public enum Registrants {
    public static func require(_ db: PGConnection) throws {
        let acting = try db.query(
            """
            SELECT coalesce(bool_and(o.kind = 'department'), false) AS departments_only,
                   string_agg(o.code, ',' ORDER BY o.code) AS codes
            FROM reloc.organisation o WHERE o.id = ANY (reloc.acting_org_ids())
            """
        ).rows.first
        if try acting?.decode(Bool.self, at: 0) == true {
            throw PermissionRefusal(
                rule: "enterprise_register_department", detail: (try acting?.decode(String?.self, at: 1)) ?? nil)
        }
    }
}
