import LobbyCore
import Testing

@Suite("SessionID")
struct SessionIDTests {
    @Test func literalAndInitializerAgree() {
        let literal: SessionID = "abc123"
        #expect(literal == SessionID("abc123"))
        #expect(literal.rawValue == "abc123")
        #expect(literal.description == "abc123")
    }

    @Test func ordersByRawValue() {
        let ids: [SessionID] = ["b", "c", "a"]
        #expect(ids.sorted() == ["a", "b", "c"])
    }
}
