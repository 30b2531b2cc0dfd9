/// The `CONNECT` negotiations: protocol version and heart-beats.
public enum Negotiation {
    /// The version to speak, from the client's `accept-version` header.
    ///
    /// A missing (or blank) header means the client only speaks 1.0. Otherwise the highest version
    /// listed by the client and supported here wins; versions this library does not know (say
    /// `2.0`) are ignored. When nothing is in common, throws ``STOMPError/Code/noCommonVersion``,
    /// whose message lists the supported versions as the spec suggests.
    ///
    /// ```swift
    /// try Negotiation.version(acceptVersion: "1.0,1.1,1.2")  // .v1_2
    /// ```
    public static func version(
        acceptVersion: String?,
        supported: [Version] = Version.allCases
    ) throws(STOMPError) -> Version {
        let accepted: [Version]
        if let acceptVersion, acceptVersion.contains(where: { $0 != " " && $0 != "," }) {
            accepted = acceptVersion.split(separator: ",").compactMap {
                Version(rawValue: String($0.trimmingSpaces))
            }
        } else {
            accepted = [.v1_0]
        }
        guard let version = accepted.filter(supported.contains).max() else {
            let list = supported.sorted().map(\.rawValue).joined(separator: " ")
            throw STOMPError(.noCommonVersion, message: "Supported protocol versions are \(list)")
        }
        return version
    }

    /// The heart-beat intervals each side must keep, from the client's `CONNECT` offer and the
    /// server's `CONNECTED` offer.
    ///
    /// As the spec sets out: the client sends every `max(cx, sy)` unless `cx` or `sy` is 0, and the
    /// server sends every `max(sx, cy)` unless `sx` or `cy` is 0. Each side expects what the other
    /// sends.
    public static func heartBeat(
        client: HeartBeat, server: HeartBeat
    ) -> (server: NegotiatedHeartBeat, client: NegotiatedHeartBeat) {
        let clientToServer = interval(client.sendEvery, server.expectEvery)
        let serverToClient = interval(server.sendEvery, client.expectEvery)
        return (
            server: NegotiatedHeartBeat(sendInterval: serverToClient, receiveInterval: clientToServer),
            client: NegotiatedHeartBeat(sendInterval: clientToServer, receiveInterval: serverToClient)
        )
    }

    /// The intervals the client must keep: `heartBeat(client:server:).client`, for client code that
    /// reads the server's offer from `CONNECTED`.
    public static func clientView(client: HeartBeat, server: HeartBeat) -> NegotiatedHeartBeat {
        heartBeat(client: client, server: server).client
    }

    /// The value the server puts in `CONNECTED`'s `heart-beat` header: its offer, with each
    /// direction the client turned off set to 0, so the header states what the server will do.
    /// The client computes the same intervals from it as from the raw offer.
    public static func serverHeartBeatHeader(client: HeartBeat, server: HeartBeat) -> HeartBeat {
        HeartBeat(
            sendEvery: client.expectEvery == 0 ? 0 : server.sendEvery,
            expectEvery: client.sendEvery == 0 ? 0 : server.expectEvery
        )
    }

    private static func interval(_ sendEvery: Int, _ expectEvery: Int) -> Int? {
        sendEvery == 0 || expectEvery == 0 ? nil : max(sendEvery, expectEvery)
    }
}
