/// A failure of the store: it could not be opened, a write was invalid, the database failed,
/// or the ``StoreWriter`` no longer accepts writes.
///
/// The server answers any of these with a private `store-unavailable` error; the
/// `description` is for the log.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// Internal rather than private so tests can tell the cases apart; callers outside the
    /// module only need the description.
    enum Kind: Sendable, Equatable {
        case cannotOpen(path: String)
        case invalidWrite(String)
        case database(operation: String)
        case writerFinished
        case missingResult
        case fenced(node: String)
    }

    let kind: Kind
    /// The engine's own error (a GRDB `DatabaseError` for ``SQLiteStore``), if any.
    public let underlying: (any Error)?

    init(_ kind: Kind, underlying: (any Error)? = nil) {
        self.kind = kind
        self.underlying = underlying
    }

    /// This node's lease lapsed: the shared store refuses its writes (see ``SharedRoom``).
    public static func fenced(node: String) -> StoreError { StoreError(.fenced(node: node)) }

    /// Whether the store refused the write because this node is fenced.
    public var isFenced: Bool {
        if case .fenced = kind { return true }
        return false
    }

    public var description: String {
        let summary =
            switch kind {
            case .cannotOpen(let path): "cannot open the database at \(path)"
            case .invalidWrite(let reason): "invalid write: \(reason)"
            case .database(let operation): "database error while \(operation)"
            case .writerFinished: "the store writer is finished and accepts no more writes"
            case .missingResult: "the store returned fewer messages than the batch wrote"
            case .fenced(let node): "node \(node) is fenced: its lease lapsed or a newer run took its id"
            }
        guard let underlying else { return summary }
        return "\(summary): \(underlying)"
    }
}
