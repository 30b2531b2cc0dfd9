/// A violation of the STOMP protocol or of the configured ``Limits``.
///
/// `message` is short, free of `:`, `\` and line breaks, so it reads the same in every version's
/// header escaping and can go straight into an `ERROR` frame's `message` header. Switch on `code`
/// to tell the failures apart:
///
/// ```swift
/// catch let error where error.code == .frameTooLarge { … }
/// ```
public struct STOMPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a value that can be compared and switched on.
    ///
    /// A struct over a private enum, so that new codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case unknownCommand
            case unexpectedCommand
            case frameTooLarge
            case tooManyHeaders
            case headerLineTooLong
            case bodyTooLarge
            case invalidHeaderEscape
            case malformedHeader
            case malformedFrame
            case invalidUTF8
            case invalidContentLength
            case invalidHeartBeat
            case noCommonVersion
            case missingHeader
            case notConnected
            case alreadyConnected
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        public var description: String { kind.rawValue }

        /// The command line is not one of the STOMP commands.
        public static let unknownCommand = Code(.unknownCommand)
        /// A known command that this peer must not send, such as `MESSAGE` from a client.
        public static let unexpectedCommand = Code(.unexpectedCommand)
        /// The whole frame is larger than ``Limits/maxFrameSize``.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// The frame has more header lines than ``Limits/maxHeaderCount``.
        public static let tooManyHeaders = Code(.tooManyHeaders)
        /// A header line is longer than ``Limits/maxHeaderLineLength``.
        public static let headerLineTooLong = Code(.headerLineTooLong)
        /// The body is larger than ``Limits/maxBodySize``.
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// A backslash in a header is not followed by an escape the negotiated version defines.
        public static let invalidHeaderEscape = Code(.invalidHeaderEscape)
        /// A header line has no `:` or an empty name.
        public static let malformedHeader = Code(.malformedHeader)
        /// The frame's structure is broken, e.g. a NUL in the headers or a body not followed by NUL.
        public static let malformedFrame = Code(.malformedFrame)
        /// The command or a header is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// The `content-length` header is not a decimal number of octets.
        public static let invalidContentLength = Code(.invalidContentLength)
        /// The `heart-beat` header is not two comma-separated non-negative integers.
        public static let invalidHeartBeat = Code(.invalidHeartBeat)
        /// The client accepts no version this server supports.
        public static let noCommonVersion = Code(.noCommonVersion)
        /// The frame lacks a header its command requires.
        public static let missingHeader = Code(.missingHeader)
        /// The client sent a frame before `CONNECT`.
        public static let notConnected = Code(.notConnected)
        /// The client sent `CONNECT` on a connection that is already connected.
        public static let alreadyConnected = Code(.alreadyConnected)
    }

    /// What went wrong.
    public var code: Code
    /// A short human-readable text, fit for an `ERROR` frame's `message` header.
    public var message: String

    public init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
