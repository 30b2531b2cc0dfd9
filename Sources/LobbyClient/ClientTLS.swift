import NIOCore
import NIOSSL

/// How the client checks the servers it reaches over `https://` / `wss://`: certificates must
/// chain to the system trust store, or to the private CA of `--ca-file`, and name the host.
///
/// Made once per client; every connection attempt shares its context.
public struct ClientTLS: Sendable {
    let context: NIOSSLContext

    /// - Parameter caFile: PEM certificates of a private CA, trusted besides the system's.
    public init(caFile: String? = nil) throws(ClientTLSError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw .unreadableCAFile(caFile)
            }
            guard !certificates.isEmpty else { throw .unreadableCAFile(caFile) }
            configuration.additionalTrustRoots = [.certificates(certificates)]
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .contextFailed("\(error)")
        }
    }

    /// The handler that opens a connection to `endpoint` with a verified handshake.
    func makeHandler(for endpoint: WebSocketEndpoint) throws -> NIOSSLClientHandler {
        // An IP address is checked against the certificate's IP entries, which NIOSSL does with
        // the peer's address when no name is given (an IP may not go in SNI).
        let isAddress = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : endpoint.host)
    }

    /// A TLS failure in words for the status line, and whether retrying could ever help: an
    /// untrusted certificate or one for another host fails the same way every time.
    static func describe(_ error: any Error, host: String) -> (reason: String, isUntrusted: Bool) {
        let hint = "use --ca-file PEM if the server's CA is private"
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return ("TLS: certificate verify failed for \(host): the certificate is not for this host name", true)
        }
        if case .handshakeFailed(let failure)? = error as? NIOSSLError {
            let text = "\(failure)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return ("TLS: certificate verify failed for \(host): not signed by a trusted CA (\(hint))", true)
            }
            if text.contains("WRONG_VERSION_NUMBER") {
                return ("TLS: handshake with \(host) failed: the server did not answer in TLS (plain http?)", false)
            }
            return ("TLS: handshake with \(host) failed: \(text)", false)
        }
        return ("TLS: \(host): \(error)", false)
    }
}

/// Why the client's TLS settings cannot be used.
public enum ClientTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableCAFile(String)
    case contextFailed(String)

    public var description: String {
        switch self {
        case .unreadableCAFile(let path):
            "--ca-file \(path): cannot read PEM certificates (-----BEGIN CERTIFICATE-----) from it"
        case .contextFailed(let reason):
            "cannot set up TLS: \(reason)"
        }
    }
}

/// Sits right after the TLS handler and keeps its first error, so the attempt can report the
/// handshake's own reason rather than the closed connection that follows it.
final class TLSFailureRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private(set) var failure: (any Error)?

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil, error is NIOSSLError || error is NIOSSLExtraError {
            failure = error
        }
        context.fireErrorCaught(error)
    }
}
