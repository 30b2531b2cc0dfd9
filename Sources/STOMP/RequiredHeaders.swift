/// The headers each client command must carry, per version, as the STOMP specs list them.
///
/// An empty value counts as missing: an empty destination or subscription id can only be a bug.
enum RequiredHeaders {
    /// The error for the first required header `frame` lacks, or nil when it has them all.
    static func violation(in frame: Frame, version: Version) -> STOMPError? {
        for alternatives in required(for: frame.command, version: version) {
            let present = alternatives.contains { !(frame.headers[$0] ?? "").isEmpty }
            if !present {
                let names = alternatives.joined(separator: " or ")
                return STOMPError(.missingHeader, message: "\(frame.command.rawValue) frame has no \(names) header")
            }
        }
        return nil
    }

    /// Each element lists headers of which at least one must be present.
    private static func required(for command: Command, version: Version) -> [[String]] {
        switch (command, version) {
        case (.send, _):
            [["destination"]]
        case (.subscribe, .v1_0):
            [["destination"]]
        case (.subscribe, _):
            [["destination"], ["id"]]
        case (.unsubscribe, .v1_0):
            [["id", "destination"]]
        case (.unsubscribe, _):
            [["id"]]
        case (.ack, .v1_2), (.nack, .v1_2):
            [["id"]]
        case (.ack, .v1_1), (.nack, .v1_1):
            [["message-id"], ["subscription"]]
        case (.ack, .v1_0), (.nack, .v1_0):
            [["message-id"]]
        case (.begin, _), (.commit, _), (.abort, _):
            [["transaction"]]
        default:
            []
        }
    }
}
