import Foundation
import LobbyServer
import Testing

/// `--tls-cert` / `--tls-key` are read once at start-up; each way they can be wrong is reported
/// by option and file name. (A key that belongs to another certificate, and the served
/// handshakes, are covered end to end by tests/test_tls.py with certificates made by openssl.)
@Suite struct ServerTLSTests {
    /// A self-signed P-256 certificate for 127.0.0.1 (public data only; no key is committed).
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBkTCCATigAwIBAgIUUj69BEtk9hAY4Yu1E0KqmU9SxwkwCgYIKoZIzj0EAwIw
        FTETMBEGA1UEAwwKbG9iYnktdGVzdDAgFw0yNjEyMDMxNTI1MzZaGA8yMTI2MTEw
        OTE1MjUzNlowFTETMBEGA1UEAwwKbG9iYnktdGVzdDBZMBMGByqGSM49AgEGCCqG
        SM49AwEHA0IABERedVA+Y3UTG8gLIkJ+2kTiLSxuPRddDYkPuB38xGcfqmGpz62b
        LLSPClmHIczfgqS8lwX4DLcpFUuk0SagZ2ujZDBiMB0GA1UdDgQWBBQg6UpyxIg+
        GwUyelAN9d5wZCucgjAfBgNVHSMEGDAWgBQg6UpyxIg+GwUyelAN9d5wZCucgjAP
        BgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwCgYIKoZIzj0EAwIDRwAw
        RAIgH6wGHvR5YD51240dIGTUq6ElN0YDziq3EERtNLwhzBUCIHT01fSOGwus89gd
        TJfIODXoYS/GWhR/suJeOZuG+DHa
        -----END CERTIFICATE-----

        """

    private func withFiles(_ files: [String: String], _ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lobby-tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try body(directory)
    }

    @Test func missingFilesAreNamedWithTheirOption() throws {
        try withFiles(["cert.pem": Self.certificatePEM]) { directory in
            let certificate = directory.appendingPathComponent("cert.pem").path
            let missing = directory.appendingPathComponent("missing.pem").path
            #expect(throws: TLSFilesError.unreadable(option: "--tls-cert", path: missing)) {
                try TLSFiles(certificatePath: missing, keyPath: certificate).makeServerContext()
            }
            #expect(throws: TLSFilesError.unreadable(option: "--tls-key", path: missing)) {
                try TLSFiles(certificatePath: certificate, keyPath: missing).makeServerContext()
            }
            #expect(throws: TLSFilesError.unreadable(option: "--tls-key", path: directory.path)) {
                try TLSFiles(certificatePath: certificate, keyPath: directory.path).makeServerContext()
            }
            #expect(
                TLSFilesError.unreadable(option: "--tls-key", path: missing).description
                    == "--tls-key \(missing): cannot read the file")
        }
    }

    @Test func aFileWithoutACertificateOrKeyIsRefused() throws {
        try withFiles(["cert.pem": Self.certificatePEM, "garbage.pem": "not PEM at all\n"]) { directory in
            let certificate = directory.appendingPathComponent("cert.pem").path
            let garbage = directory.appendingPathComponent("garbage.pem").path
            #expect {
                try TLSFiles(certificatePath: garbage, keyPath: garbage).makeServerContext()
            } throws: { error in
                switch error as? TLSFilesError {
                case .noCertificate(garbage)?, .invalidCertificate(garbage, _)?: true
                default: false
                }
            }
            #expect {
                // The certificate is no key either.
                try TLSFiles(certificatePath: certificate, keyPath: certificate).makeServerContext()
            } throws: { error in
                guard case .invalidKey(certificate, _)? = error as? TLSFilesError else { return false }
                return "\(error)".hasPrefix("--tls-key \(certificate): not a valid PEM private key")
            }
        }
    }
}
