import StippleJournal
import StippleModel

/// Why the console refused a request, with the HTTP status the contract gives it: 400 bad
/// input, 401 no session, 403 origin, 404, 409 state, 422 a rule, 500 the journal failed. The
/// message says what, why and what to do, without the CLI's `error: ` prefix.
struct ConsoleRefusal: Error, CustomStringConvertible, Equatable {
    var status: Int
    var message: String

    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message.hasPrefix("error: ") ? String(message.dropFirst("error: ".count)) : message
    }

    var description: String { "\(status): \(message)" }

    /// Any error the console's work threw, sorted into the contract's statuses: a journal rule
    /// (consent, expiry, reuse, calibration) is 422, a second session 409, the file itself 500.
    static func from(_ error: any Error) -> ConsoleRefusal {
        switch error {
        case let r as ConsoleRefusal:
            return r
        case let e as JournalError:
            switch e {
            case .unknownClient, .missingConsent, .pigmentExpired, .cartridgeReused, .cartridgeConflict, .unknownCalibration,
                 .calibrationExpired, .unknownPlan, .invalidField, .duplicateClient:
                return ConsoleRefusal(422, e.description)
            case .sessionAlreadyOpen, .writerActive:
                return ConsoleRefusal(409, e.description)
            case .unknownSession:
                return ConsoleRefusal(404, e.description)
            default:
                return ConsoleRefusal(500, e.description)
            }
        case let e as ConfigError:
            // Every reason, not just the first: the practitioner fixes them all at once.
            return ConsoleRefusal(422, e.issues.map(\.description).joined(separator: "; "))
        case let e as CatalogError:
            return ConsoleRefusal(422, e.description)
        case let e as CLIError:
            return ConsoleRefusal(422, e.description)
        default:
            return ConsoleRefusal(500, "\(error)")
        }
    }
}
