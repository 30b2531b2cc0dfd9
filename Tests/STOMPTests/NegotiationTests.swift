import STOMP
import TestSupport
import Testing

@Suite("Negotiation: versions")
struct VersionNegotiationTests {
    @Test(
        "the highest common version wins; no header means 1.0",
        arguments: [
            (nil, Version.v1_0),
            ("", .v1_0),
            ("1.0", .v1_0),
            ("1.1", .v1_1),
            ("1.2", .v1_2),
            ("1.0,1.1,1.2", .v1_2),
            ("1.2,1.0", .v1_2),
            ("1.0,1.1", .v1_1),
            (" 1.0 , 1.1 ", .v1_1),
            ("1.3,1.2,2.0", .v1_2),
        ] as [(String?, Version)])
    func highestCommon(acceptVersion: String?, expected: Version) throws {
        #expect(try Negotiation.version(acceptVersion: acceptVersion) == expected)
    }

    @Test(
        "no common version is an error listing the supported ones",
        arguments: [
            ("2.0", Version.allCases),
            ("1.3,banana", Version.allCases),
            ("1.1,1.2", [Version.v1_0]),
            ("1.0", [Version.v1_1, .v1_2]),
            (nil, [Version.v1_2]),
        ] as [(String?, [Version])])
    func noCommonVersion(acceptVersion: String?, supported: [Version]) {
        let error = #expect(throws: STOMPError.self) {
            try Negotiation.version(acceptVersion: acceptVersion, supported: supported)
        }
        #expect(error?.code == .noCommonVersion)
        #expect(error?.message == "Supported protocol versions are " + supported.map(\.rawValue).joined(separator: " "))
    }

    @Test("versions compare in release order")
    func versionOrder() {
        #expect(Version.v1_0 < .v1_1 && Version.v1_1 < .v1_2)
        #expect(Version.allCases.max() == .v1_2)
        #expect(Version.allCases.map(\.rawValue) == ["1.0", "1.1", "1.2"])
    }
}

@Suite("Negotiation: heart-beats")
struct HeartBeatNegotiationTests {
    @Test(
        "HeartBeat parses its header",
        arguments: [
            ("0,0", HeartBeat.off),
            ("10000,10000", HeartBeat(sendEvery: 10_000, expectEvery: 10_000)),
            ("1000,0", HeartBeat(sendEvery: 1_000, expectEvery: 0)),
            (" 5 , 7 ", HeartBeat(sendEvery: 5, expectEvery: 7)),
        ])
    func parseHeader(header: String, expected: HeartBeat) throws {
        #expect(try HeartBeat(header: header) == expected)
    }

    @Test(
        "malformed heart-beat headers are refused",
        arguments: ["", "10", "1,2,3", "a,b", "-1,0", "1,", ",1", "1.5,2", "99999999999999999999,0", "١,٢"])
    func malformedHeader(header: String) {
        let error = #expect(throws: STOMPError.self) { try HeartBeat(header: header) }
        #expect(error?.code == .invalidHeartBeat)
    }

    @Test("headerValue is sendEvery,expectEvery")
    func headerValue() {
        #expect(HeartBeat(sendEvery: 10_000, expectEvery: 250).headerValue == "10000,250")
    }

    /// (client cx,cy; server sx,sy) → (server sends every, server expects every).
    @Test(
        "intervals follow the spec: max of both offers, off when either side says 0",
        arguments: [
            ((0, 0), (10_000, 10_000), nil, nil),
            ((1_000, 1_000), (10_000, 10_000), 10_000, 10_000),
            ((20_000, 5_000), (10_000, 10_000), 10_000, 20_000),
            ((5_000, 20_000), (10_000, 10_000), 20_000, 10_000),
            ((1_000, 0), (10_000, 10_000), nil, 10_000),
            ((0, 1_000), (10_000, 10_000), 10_000, nil),
            ((1_000, 1_000), (0, 0), nil, nil),
            ((1_000, 1_000), (500, 0), 1_000, nil),
        ] as [((Int, Int), (Int, Int), Int?, Int?)])
    func intervals(client: (Int, Int), server: (Int, Int), serverSends: Int?, serverExpects: Int?) {
        let clientOffer = HeartBeat(sendEvery: client.0, expectEvery: client.1)
        let serverOffer = HeartBeat(sendEvery: server.0, expectEvery: server.1)
        let negotiated = Negotiation.heartBeat(client: clientOffer, server: serverOffer)
        #expect(negotiated.server == NegotiatedHeartBeat(sendInterval: serverSends, receiveInterval: serverExpects))
        #expect(negotiated.client == NegotiatedHeartBeat(sendInterval: serverExpects, receiveInterval: serverSends))
        #expect(Negotiation.clientView(client: clientOffer, server: serverOffer) == negotiated.client)
    }

    @Test("the CONNECTED header leads the client to the intervals the server keeps")
    func connectedHeaderAgreesWithServer() {
        var random = SplitMix64(seed: 11)
        let values = [0, 1, 500, 10_000, 30_000]
        for _ in 0..<300 {
            let client = HeartBeat(
                sendEvery: values.randomElement(using: &random)!, expectEvery: values.randomElement(using: &random)!)
            let server = HeartBeat(
                sendEvery: values.randomElement(using: &random)!, expectEvery: values.randomElement(using: &random)!)
            let header = Negotiation.serverHeartBeatHeader(client: client, server: server)
            #expect(
                Negotiation.clientView(client: client, server: header)
                    == Negotiation.heartBeat(client: client, server: server).client)
        }
    }

    @Test("a client that turns heart-beats off is told 0,0")
    func connectedHeaderWhenClientOptsOut() {
        let header = Negotiation.serverHeartBeatHeader(
            client: .off, server: HeartBeat(sendEvery: 10_000, expectEvery: 10_000))
        #expect(header.headerValue == "0,0")
    }
}

@Suite("WebSocket subprotocol negotiation")
struct WebSocketSubprotocolTests {
    @Test(
        "the highest offered STOMP subprotocol is selected",
        arguments: [
            (["v10.stomp, v11.stomp, v12.stomp"], Version.v1_2),
            (["v10.stomp,v11.stomp"], .v1_1),
            (["v10.stomp", "v12.stomp"], .v1_2),
            (["mqtt", " v10.stomp "], .v1_0),
            (["v12.stomp, v10.stomp"], .v1_2),
        ])
    func selectsHighest(offered: [String], expected: Version) {
        #expect(Version.negotiatedWebSocketSubprotocol(offered: offered) == expected)
    }

    @Test(
        "nothing is selected when no STOMP subprotocol was offered",
        arguments: [[], [""], ["mqtt"], ["V12.STOMP"], ["v13.stomp, stomp"], [",,"]])
    func selectsNothing(offered: [String]) {
        #expect(Version.negotiatedWebSocketSubprotocol(offered: offered) == nil)
    }

    @Test("subprotocol names")
    func names() {
        #expect(Version.allCases.map(\.webSocketSubprotocol) == ["v10.stomp", "v11.stomp", "v12.stomp"])
    }
}
