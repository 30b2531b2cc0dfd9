import STOMP
import Testing

@Suite("Headers, Frame, Command, STOMPError")
struct HeadersAndFrameTests {
    @Test("a dictionary literal keeps its order and its repeated names")
    func literalOrder() {
        let headers: Headers = ["b": "1", "a": "2", "b": "3"]
        #expect(headers.map(\.name) == ["b", "a", "b"])
        #expect(headers.count == 3)
        #expect(headers["b"] == "1")
        #expect(headers.values(for: "b") == ["1", "3"])
        #expect(headers["missing"] == nil)
    }

    @Test("append adds after existing headers of the same name")
    func append() {
        var headers = Headers([("x", "1")])
        headers.append("x", "2")
        #expect(headers["x"] == "1")
        #expect(headers == Headers([("x", "1"), ("x", "2")]))
    }

    @Test("set replaces the first occurrence in place and drops the rest, or appends")
    func set() {
        var headers: Headers = ["a": "1", "x": "old", "b": "2", "x": "older"]
        headers.set("x", to: "new")
        #expect(headers == ["a": "1", "x": "new", "b": "2"])
        headers.set("c", to: "3")
        #expect(headers == ["a": "1", "x": "new", "b": "2", "c": "3"])
    }

    @Test("removeAll drops every header of the name; contains and isEmpty follow")
    func removeAll() {
        var headers: Headers = ["a": "1", "b": "2", "a": "3"]
        #expect(headers.contains("a"))
        headers.removeAll(named: "a")
        #expect(!headers.contains("a"))
        #expect(headers == ["b": "2"])
        headers.removeAll(named: "b")
        #expect(headers.isEmpty)
    }

    @Test("header equality depends on order")
    func orderMatters() {
        let ab: Headers = ["a": "1", "b": "2"]
        let ba: Headers = ["b": "2", "a": "1"]
        #expect(ab != ba)
    }

    @Test("bodyText decodes UTF-8 and refuses anything else")
    func bodyText() {
        #expect(Frame(.send, text: "héllo").bodyText == "héllo")
        #expect(Frame(.send).bodyText == "")
        #expect(Frame(.send, body: [0xFF, 0xFE]).bodyText == nil)
    }

    @Test("commands spell the way the wire does and know who sends them")
    func commands() {
        #expect(Command.allCases.count == 15)
        #expect(Command(rawValue: "DISCONNECT") == .disconnect)
        #expect(Command(rawValue: "disconnect") == nil)
        #expect(Command.allCases.filter { !$0.isClientCommand } == [.connected, .message, .receipt, .error])
        #expect(Command.allCases.filter { !$0.escapesHeaders } == [.connect, .stomp, .connected])
    }

    @Test("error codes compare by kind and describe themselves")
    func errorCodes() {
        let error = STOMPError(.frameTooLarge, message: "frame exceeds 10 bytes")
        #expect(error.code == .frameTooLarge)
        #expect(error.code != .bodyTooLarge)
        #expect(error.description == "frameTooLarge: frame exceeds 10 bytes")
        switch error.code {
        case .frameTooLarge: break
        default: Issue.record("switching on a code should match its case")
        }
    }

    @Test("Frame.error carries the message in header and body, and the receipt-id when given")
    func errorFrame() {
        let frame = Frame.error(STOMPError(.missingHeader, message: "no destination"), receiptID: "77")
        #expect(frame.command == .error)
        #expect(frame.headers["message"] == "no destination")
        #expect(frame.headers["receipt-id"] == "77")
        #expect(frame.bodyText == "no destination")
        #expect(Frame.receipt(id: "9") == Frame(.receipt, headers: ["receipt-id": "9"]))
    }
}
