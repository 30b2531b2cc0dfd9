import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

// How the store reaches the database: connection settings from the URL, and the deadline on
// every access.

extension PostgresStore {
    /// `access`'s result, or ``PostgresStoreError/timedOut(after:)`` once `limit` passes.
    ///
    /// Not a task group: a group waits for all its children, and a query on a connection the
    /// database dropped does not always end when cancelled, so the caller (the store writer)
    /// would wait with it. The access runs in a task of its own, is cancelled at the deadline,
    /// and whatever it does after that is ignored.
    static func withDeadline<T: Sendable>(
        _ limit: Duration, _ access: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let pending = Mutex<CheckedContinuation<T, any Error>?>(nil)
        let resume: @Sendable (Result<T, any Error>) -> Void = { result in
            pending.withLock { continuation in
                continuation?.resume(with: result)
                continuation = nil
            }
        }
        return try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0 = continuation }
            let work = Mutex<Task<Void, Never>?>(nil)
            let deadline = Task {
                do {
                    try await Task.sleep(for: limit)
                } catch {
                    return  // the access finished first
                }
                resume(.failure(PostgresStoreError.timedOut(after: limit)))
                work.withLock { $0?.cancel() }
            }
            work.withLock { task in
                task = Task {
                    do {
                        resume(.success(try await access()))
                    } catch {
                        resume(.failure(error))
                    }
                    deadline.cancel()
                }
            }
        }
    }
}

extension PostgresStore {
    static func tls(for mode: PostgresURL.SSLMode) -> TLSConfiguration? {
        switch mode {
        case .disable:
            return nil
        case .prefer, .require:
            // As libpq: these modes encrypt but do not authenticate the server.
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return configuration
        case .verifyFull:
            return .makeClientConfiguration()
        }
    }

    static func clientConfiguration(_ url: PostgresURL, options: Options) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch (url.sslMode, Self.tls(for: url.sslMode)) {
            case (.prefer, let configuration?): .prefer(configuration)
            case (_, let configuration?): .require(configuration)
            case (_, nil): .disable
            }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: tls)
        configuration.options.maximumConnections = options.maximumConnections
        configuration.options.minimumConnections = options.minimumConnections
        configuration.options.connectTimeout = options.connectTimeout
        configuration.options.additionalStartupParameters = [("application_name", options.applicationName)]
        return configuration
    }

    static func connectionConfiguration(_ url: PostgresURL, options: Options) throws -> PostgresConnection.Configuration
    {
        let tls: PostgresConnection.Configuration.TLS =
            switch (url.sslMode, Self.tls(for: url.sslMode)) {
            case (.prefer, let configuration?): .prefer(try NIOSSLContext(configuration: configuration))
            case (_, let configuration?): .require(try NIOSSLContext(configuration: configuration))
            case (_, nil): .disable
            }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: tls)
        let timeout = options.connectTimeout.components
        configuration.options.connectTimeout = TimeAmount.nanoseconds(
            timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000)
        configuration.options.additionalStartupParameters = [("application_name", options.applicationName)]
        return configuration
    }
}
