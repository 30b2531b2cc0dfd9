import LobbyStore
import Logging
import PostgresNIO

extension PostgresStore {
    /// Wake-ups for the room log follower: one per notification on the room channel, and one
    /// each time the listening connection is (re)established, since nothing heard while it was
    /// down is ever delivered (postgres-nio does not re-`LISTEN`; this loop does).
    ///
    /// The listening connection is its own, outside the pool: a pooled connection would be
    /// handed to queries and could not stay subscribed. It reconnects after any failure (the
    /// database restarted, the backend was terminated) with a growing pause of up to 2 s.
    public func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let url = url
        let options = options
        let logger = logger
        let task = Task.detached {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let configuration = try Self.connectionConfiguration(url, options: options)
                    let connection = try await PostgresConnection.connect(
                        configuration: configuration, id: 2, logger: logger)
                    await withTaskCancellationHandler {
                        do {
                            try await connection.listen(on: Self.roomChannel) { notifications in
                                failures = 0
                                // Whatever was appended while nobody listened: read it now.
                                continuation.yield()
                                for try await _ in notifications {
                                    continuation.yield()
                                }
                            }
                        } catch {
                            if !Task.isCancelled {
                                logger.warning(
                                    "lost the room log's listening connection; reconnecting",
                                    metadata: ["error": "\(PostgresFailure(error))"])
                            }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                    try? await connection.close()
                } catch {
                    if failures == 0 {
                        logger.warning(
                            "cannot listen to the room log; retrying", metadata: ["error": "\(PostgresFailure(error))"])
                    }
                }
                failures += 1
                // Read what may have been appended meanwhile, even before listening again.
                continuation.yield()
                try? await Task.sleep(for: .milliseconds(min(2_000, 100 * failures)))
            }
            continuation.finish()
        }
        listeners.withLock { $0.append(task) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
