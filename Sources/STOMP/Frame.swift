/// One STOMP frame: a command, headers and a body of raw bytes.
///
/// Headers here are always unescaped; ``FrameEncoder`` and ``FrameParser`` deal with the wire form.
public struct Frame: Sendable, Equatable {
    public var command: Command
    public var headers: Headers
    public var body: [UInt8]

    public init(_ command: Command, headers: Headers = [:], body: [UInt8] = []) {
        self.command = command
        self.headers = headers
        self.body = body
    }

    /// A frame whose body is this text in UTF-8.
    public init(_ command: Command, headers: Headers = [:], text: String) {
        self.init(command, headers: headers, body: Array(text.utf8))
    }

    /// The body decoded as UTF-8, or nil when it is not valid UTF-8.
    public var bodyText: String? {
        String(validating: body, as: UTF8.self)
    }
}

extension Frame {
    /// A `RECEIPT` answering a client frame's `receipt` header.
    public static func receipt(id receiptID: String) -> Frame {
        Frame(.receipt, headers: ["receipt-id": receiptID])
    }

    /// An `ERROR` frame reporting `error`, with its message in the `message` header and the body.
    ///
    /// - Parameter receiptID: the `receipt` header of the frame that caused the error, if any; the
    ///   spec asks servers to echo it as `receipt-id` so the client can tell which frame failed.
    public static func error(_ error: STOMPError, receiptID: String? = nil) -> Frame {
        var headers: Headers = ["message": error.message, "content-type": "text/plain"]
        if let receiptID {
            headers.append("receipt-id", receiptID)
        }
        return Frame(.error, headers: headers, text: error.message)
    }
}

extension Frame: CustomStringConvertible {
    public var description: String {
        "\(command.rawValue) \(headers) \(bodyText.map { "\"\($0)\"" } ?? "\(body.count) bytes")"
    }
}
