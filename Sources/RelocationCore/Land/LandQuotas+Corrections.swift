import LibPQClient

/// The province corrects a quota it issued (a wrong amount or document number) or withdraws it.
/// The database refuses either when the holder's live allocations for that year would then exceed
/// what remains (§五(四)), and refuses both to anyone but the province.
extension LandQuotas {
    public func correct(_ id: Int64, area: LandArea?, doc: String?, note: String?) throws {
        var changes = Changes()
        if let area {
            try area.checkFits(rule: "land_quota_hectares_positive")
            try area.checkPlaces(rule: "land_amount_places")
            changes.set("amount", area.amount)
            changes.set("unit", area.unit)
        }
        changes.set("doc", doc)
        changes.set("note", note)
        try db.updateOne(
            try changes.update("reloc.land_quota", where: "id = \(id)"), what: "quota \(id)",
            existing: "SELECT 1 FROM reloc.land_quota WHERE id = \(id)")
    }

    public func withdraw(_ id: Int64) throws {
        guard try db.execute("DELETE FROM reloc.land_quota WHERE id = \(id)") == 0 else { return }
        if try db.query("SELECT 1 FROM reloc.land_quota WHERE id = \(id)").rows.isEmpty {
            throw RelocError.notFound("no quota \(id); see `reloc land quota list`")
        }
        throw RelocError.permissionDenied("quota \(id) is not yours to withdraw: only the province withdraws quotas")
    }
}
