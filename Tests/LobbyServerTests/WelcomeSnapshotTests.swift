import Foundation
import LobbyCore
import Testing

@testable import LobbyServer

/// The hand-written welcome is the JSON `JSONEncoder` would write, with the fields clients use
/// to notice a restart and to pace their sends.
@Suite struct WelcomeSnapshotTests {
    private let bob = try! UserName(validating: "bob")

    @Test func theBodyIsWhatJSONEncoderWrites() throws {
        let members = [Member(user: "bob", sessions: 1, away: "lunch")]
        let snapshot = WelcomeSnapshot(members: WelcomeSnapshot.encode(members), history: Array("[]".utf8))
        let rate = ChatRate(perSecond: 2.5, burst: 20)
        let body = snapshot.body(sessionID: "s1", user: bob, directs: Array("[]".utf8), chatRate: rate)
        let expected = Welcome(
            sessionId: "s1", user: "bob", members: members, history: [], directs: [],
            serverInstance: WelcomeSnapshot.serverInstance, chatRate: rate)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: body, as: UTF8.self) == String(decoding: try encoder.encode(expected), as: UTF8.self))
        #expect(try JSONDecoder().decode(Welcome.self, from: Data(body)) == expected)
    }

    @Test func everyWelcomeOfOneProcessNamesTheSameRun() throws {
        let snapshot = WelcomeSnapshot(members: Array("[]".utf8), history: Array("[]".utf8))
        let first = try JSONDecoder().decode(Welcome.self, from: Data(snapshot.body(sessionID: "s1", user: bob)))
        let second = try JSONDecoder().decode(Welcome.self, from: Data(snapshot.body(sessionID: "s2", user: bob)))
        #expect(first.serverInstance?.count == 16)
        #expect(first.serverInstance == second.serverInstance)
        #expect(first.chatRate == nil)
    }

    @Test func wholeRatesAreWrittenWithoutAFraction() {
        #expect(WelcomeSnapshot.jsonNumber(5) == "5")
        #expect(WelcomeSnapshot.jsonNumber(0.5) == "0.5")
    }
}
