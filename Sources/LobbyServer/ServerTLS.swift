import Foundation
import NIOSSL

/// The certificate and key files of `--tls-cert` / `--tls-key`.
public struct TLSFiles: Sendable, Equatable {
    /// PEM: the server's certificate, then any intermediates.
    public var certificatePath: String
    /// PEM: the private key of the first certificate.
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}

/// Why the TLS files cannot serve: named by option and file, so the operator knows what to fix.
public enum TLSFilesError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(option: String, path: String)
    case noCertificate(path: String)
    case invalidCertificate(path: String, reason: String)
    case invalidKey(path: String, reason: String)
    case keyDoesNotMatchCertificate(certificatePath: String, keyPath: String)

    public var description: String {
        switch self {
        case .unreadable(let option, let path):
            "\(option) \(path): cannot read the file"
        case .noCertificate(let path):
            "--tls-cert \(path): no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
        case .invalidCertificate(let path, let reason):
            "--tls-cert \(path): not a valid PEM certificate chain (\(reason))"
        case .invalidKey(let path, let reason):
            "--tls-key \(path): not a valid PEM private key (\(reason))"
        case .keyDoesNotMatchCertificate(let certificatePath, let keyPath):
            "--tls-key \(keyPath) is not the private key of the certificate in --tls-cert \(certificatePath)"
        }
    }
}

extension TLSFiles {
    /// Reads both files once, at start-up, into the context every accepted connection shares;
    /// a problem is reported here rather than as failed handshakes later.
    public func makeServerContext() throws(TLSFilesError) -> NIOSSLContext {
        for (option, path) in [("--tls-cert", certificatePath), ("--tls-key", keyPath)] {
            guard isReadableFile(path) else { throw .unreadable(option: option, path: path) }
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw .invalidCertificate(path: certificatePath, reason: "\(error)")
        }
        guard !chain.isEmpty else { throw .noCertificate(path: certificatePath) }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw .invalidKey(path: keyPath, reason: "\(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            // BoringSSL refuses a key that does not belong to the leaf certificate here.
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .keyDoesNotMatchCertificate(certificatePath: certificatePath, keyPath: keyPath)
        }
    }
}

private func isReadableFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        && FileManager.default.isReadableFile(atPath: path)
}
