/// Errors of reloc's own making (as opposed to the database's), each with the exit status a
/// script can act on.
public enum RelocError: Error, Sendable, CustomStringConvertible {
    /// Input that breaks a rule or cannot be read (exit 65).
    case invalidInput(String)
    /// Something named that does not exist (exit 65).
    case notFound(String)
    /// Refused for lack of authority (exit 77).
    case permissionDenied(String)

    public var description: String {
        switch self {
        case .invalidInput(let message), .notFound(let message), .permissionDenied(let message): message
        }
    }
}

/// The process exit statuses reloc uses (BSD sysexits.h).
public enum ExitStatus: Int32, Sendable {
    case ok = 0
    case usage = 64
    case dataError = 65
    case unavailable = 69
    case software = 70
    case noPermission = 77
}
