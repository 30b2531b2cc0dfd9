import PostgresNIO

/// An engine error in words fit for a log line: what the server said (SQLSTATE, message,
/// detail, hint) or what went wrong on the way to it.
///
/// The pool's "circuit breaker tripped" (no connection could be made for the connect timeout)
/// reads as the pool says it. postgres-nio's own errors describe themselves as a generic "PSQLError" so as not to leak
/// query parameters; this keeps that promise (no query, no bound values: chat text and user
/// names stay out of logs) while saying what happened.
struct PostgresFailure: Error, CustomStringConvertible {
    /// The error as postgres-nio (or the pool, or NIO) threw it.
    let error: any Error

    init(_ error: any Error) {
        // A transaction wraps the error of its step; the step's error is the interesting one.
        if let transaction = error as? PostgresTransactionError,
            let inner = transaction.closureError ?? transaction.commitError ?? transaction.beginError
        {
            self.error = (inner as? PostgresFailure)?.error ?? inner
        } else {
            self.error = error
        }
    }

    /// The server's SQLSTATE, when the server reported the error.
    var sqlState: String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    var description: String {
        switch error {
        case let error as PSQLError:
            return Self.describe(error)
        default:
            return String(describing: error)
        }
    }

    private static func describe(_ error: PSQLError) -> String {
        if let info = error.serverInfo {
            var parts = [[info[.severity], info[.sqlState]].compactMap { $0 }.joined(separator: " ")]
            parts.append(info[.message] ?? "server error")
            // Constraint violations (class 23) and data errors (class 22) detail the row's or the
            // value's contents ("Failing row contains (…)"): chat text stays out of the log.
            let echoesValues = ["22", "23"].contains(info[.sqlState]?.prefix(2) ?? "")
            if let detail = info[.detail], !echoesValues { parts.append("detail: \(detail)") }
            if let hint = info[.hint] { parts.append("hint: \(hint)") }
            return parts.filter { !$0.isEmpty }.joined(separator: ": ")
        }
        let what =
            switch error.code {
            case .connectionError: "could not connect"
            case .serverClosedConnection: "the server closed the connection"
            case .clientClosedConnection: "the connection was closed"
            case .sslUnsupported: "the server does not support TLS (sslmode=require needs it)"
            case .failedToAddSSLHandler: "TLS could not be set up"
            case .authMechanismRequiresPassword: "the server asks for a password and the URL has none"
            case .unsupportedAuthMechanism: "the server asks for an authentication method postgres-nio lacks"
            case .queryCancelled: "the query was cancelled"
            case .poolClosed: "the store is shut down"
            default: "\(error.code)"
            }
        guard let underlying = error.underlying else { return what }
        return "\(what): \(underlying)"
    }
}
