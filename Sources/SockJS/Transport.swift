/// A SockJS transport: the last path segment of `{prefix}/{server}/{session}/{transport}`.
///
/// Receiving transports carry frames from the server to the client; `xhr_send` and
/// `jsonp_send` carry messages from the client to the server.
///
/// ```swift
/// Transport(rawValue: "xhr_streaming")  // .xhrStreaming
/// Transport.jsonpSend.isReceiving        // false
/// ```
public enum Transport: String, Sendable, CaseIterable {
    case websocket
    case xhr
    case xhrSend = "xhr_send"
    case xhrStreaming = "xhr_streaming"
    case eventsource
    case htmlfile
    case jsonp
    case jsonpSend = "jsonp_send"

    /// Whether a request on this transport receives frames from the server
    /// (everything except `xhr_send` and `jsonp_send`).
    public var isReceiving: Bool {
        switch self {
        case .websocket, .xhr, .xhrStreaming, .eventsource, .htmlfile, .jsonp:
            return true
        case .xhrSend, .jsonpSend:
            return false
        }
    }

    /// The HTTP method of a request on this transport (an `OPTIONS` preflight aside). The
    /// `websocket` transport's upgrade is a `GET`.
    public var method: Method {
        switch self {
        case .websocket, .eventsource, .htmlfile, .jsonp: .get
        case .xhr, .xhrSend, .xhrStreaming, .jsonpSend: .post
        }
    }

    /// The HTTP methods the transports use.
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    /// Whether a request on this transport sends messages to the server.
    public var isSending: Bool {
        switch self {
        case .xhrSend, .jsonpSend:
            return true
        case .websocket, .xhr, .xhrStreaming, .eventsource, .htmlfile, .jsonp:
            return false
        }
    }

    /// Whether one HTTP response carries many frames (`xhr_streaming`, `eventsource`, `htmlfile`).
    public var isStreaming: Bool {
        switch self {
        case .xhrStreaming, .eventsource, .htmlfile:
            return true
        case .websocket, .xhr, .xhrSend, .jsonp, .jsonpSend:
            return false
        }
    }

    /// Whether one HTTP response carries exactly one frame (`xhr`, `jsonp`).
    public var isPolling: Bool {
        switch self {
        case .xhr, .jsonp:
            return true
        case .websocket, .xhrSend, .xhrStreaming, .eventsource, .htmlfile, .jsonpSend:
            return false
        }
    }
}
