import Hummingbird
import LibPQClient
import Logging
import NIOCore
import RelocationCore

/// What a request ends with when it does not succeed: a status and words for the person — the
/// rule's words where a rule refused (as the CLI's 65/77 messages), never SQL or a stack trace.
struct WebFailure: Error {
    let status: HTTPResponse.Status
    let message: String
}

/// A redirect (to the sign-in page, after a POST).
struct Redirect: Error {
    let location: String
}

/// The rules' words, read once at start (they change only with a migration).
struct CachedRuleBook: RuleBook {
    let rules: [String: RuleWords]

    func words(for rule: String) -> RuleWords? { rules[rule] }
}

enum Failures {
    static func from(_ error: any Error, rules: any RuleBook, logger: Logger) -> WebFailure {
        switch error {
        case let failure as WebFailure:
            return failure
        case let refusal as PermissionRefusal:
            return WebFailure(
                status: .forbidden, message: RuleMessages.refusal(refusal, rules: rules))
        case let violation as RuleViolation:
            return WebFailure(
                status: .unprocessableContent,
                message: RuleMessages.rule(violation.rule, detail: violation.detail, rules: rules))
        case let error as RelocError:
            switch error {
            case .invalidInput: return WebFailure(status: .badRequest, message: error.description)
            case .notFound: return WebFailure(status: .notFound, message: error.description)
            case .permissionDenied: return WebFailure(status: .forbidden, message: error.description)
            }
        case is NIOTooManyBytesError:
            // A body over its limit (Forms.body, the upload's collect): the sender's to shorten.
            return WebFailure(
                status: .contentTooLarge,
                message: "提交的内容过大：表单不超过 1 MB，CSV 文件不超过 8 MB；大文件请分批导入或用 reloc enterprise import")
        case is PoolClosed:
            return WebFailure(status: .serviceUnavailable, message: "服务器正在停止，请稍后再试")
        case let error as PGError:
            return fromDatabase(error, rules: rules, logger: logger)
        default:
            logger.error("internal error", metadata: ["error": "\(error)"])
            return WebFailure(status: .internalServerError, message: "内部错误，已记录；请稍后再试或联系管理员")
        }
    }

    static func fromDatabase(_ error: PGError, rules: any RuleBook, logger: Logger) -> WebFailure {
        switch error.kind {
        case .server: break
        case .connectionFailed, .connectionLost, .loginRefused, .invalidConnectionString, .libraryUnavailable:
            logger.error("database unavailable", metadata: ["error": "\(error.message)"])
            return WebFailure(status: .serviceUnavailable, message: "数据库暂时不可用，请稍后再试")
        case .decoding, .usage:
            logger.error("internal error", metadata: ["error": "\(error.message)"])
            return WebFailure(status: .internalServerError, message: "内部错误，已记录；请稍后再试或联系管理员")
        }
        let state = error.sqlState ?? ""
        switch state {
        case "42501":
            return WebFailure(status: .forbidden, message: RuleMessages.permission(error, rules: rules))
        case _
        where state.hasPrefix("23") || state.hasPrefix("22") || state == "P0001" || state == "P0002"
            || state == "42710":
            return WebFailure(status: .unprocessableContent, message: RuleMessages.database(error, rules: rules))
        case "57014", "57P01", "57P02", "57P03", "53300", "40001", "40P01", "55P03":
            return WebFailure(status: .serviceUnavailable, message: "数据库繁忙，请稍后再试")
        default:
            logger.error("database error", metadata: ["sqlstate": "\(state)", "error": "\(error.message)"])
            return WebFailure(status: .internalServerError, message: "内部错误，已记录；请稍后再试或联系管理员")
        }
    }
}
