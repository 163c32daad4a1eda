import LibPQClient

/// A day of the calendar, as the domain and its callers name it. The type is LibPQClient's (it is
/// what SQL `date` decodes to); the name is given here so that a caller of the domain (the CLI)
/// needs no import of the database client for it (docs/layers.md).
public typealias CalendarDate = LibPQClient.CalendarDate
