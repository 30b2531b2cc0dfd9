// swift-format-ignore: AlwaysUseLowerCamelCase
// The case names mirror the version numbers, which reads better than any camel-cased spelling.

/// A STOMP protocol version.
///
/// Versions compare in release order, so `Version.v1_0 < .v1_2` and the highest common version of a
/// negotiation is simply the maximum.
public enum Version: String, Sendable, CaseIterable, Comparable {
    case v1_0 = "1.0"
    case v1_1 = "1.1"
    case v1_2 = "1.2"

    public static func < (lhs: Version, rhs: Version) -> Bool {
        lhs.releaseOrder < rhs.releaseOrder
    }

    private var releaseOrder: Int {
        switch self {
        case .v1_0: 0
        case .v1_1: 1
        case .v1_2: 2
        }
    }
}
