import LobbyCore
import Testing

@Suite("Leave reasons on the wire")
struct LeaveReasonTests {
    @Test("each reason a client must tell apart has its own close code")
    func distinctCodes() {
        let distinct: [LeaveReason] = [.quit, .closed, .timeout, .slow, .kicked, .shutdown]
        #expect(Set(distinct.map(\.closeStatus.code)).count == distinct.count)
        #expect(LeaveReason.kicked.closeStatus.code == 4002)
        #expect(LeaveReason.timeout.closeStatus == (4000, "Heart-beat timeout"))
    }

    @Test("application close codes are valid WebSocket close codes to send")
    func sendableCodes() {
        for reason in LeaveReason.allCases {
            let code = reason.closeStatus.code
            // RFC 6455 §7.4: 1000-1003, 1007-1011 and 3000-4999 may be sent in a close frame.
            #expect((1000...1003).contains(code) || (1007...1011).contains(code) || (3000...4999).contains(code))
            #expect(!reason.closeStatus.reason.isEmpty)
        }
    }
}
