import LobbyStore
import Logging

/// Reads the shared store's room log in order and hands each new run of entries to the lobby.
///
/// It reads after every wake-up from ``SharedRoom/changes()`` (a notification, or a
/// reconnect of the listening connection) and once a second besides, so a notification lost
/// in transit delays an event by at most that second. One read at a time, from the last
/// sequence number seen: nothing is skipped or handed over twice.
actor RoomLogFollower {
    private let room: any SharedRoom
    private let lobby: Lobby
    private let logger: Logger
    private var sequence: Int64
    /// Entries read per query; a backlog is read in several.
    private let pageSize = 1_000

    init(room: any SharedRoom, lobby: Lobby, after sequence: Int64, logger: Logger) {
        self.room = room
        self.lobby = lobby
        self.sequence = sequence
        self.logger = logger
    }

    /// Follows the log until the task is cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in self.room.changes() {
                    await self.catchUp()
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    await self.catchUp()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Whether a read is in progress, and whether another wake-up came meanwhile.
    private var reading = false
    private var readAgain = false

    /// Reads everything after the last entry seen. Wake-ups that come during a read (the actor
    /// is reentrant at every `await`) do not start a second read from the same sequence
    /// number, which would hand the same entries over twice: they make the running one read
    /// once more when it is done.
    func catchUp() async {
        guard !reading else {
            readAgain = true
            return
        }
        reading = true
        defer { reading = false }
        repeat {
            readAgain = false
            await readToTheEnd()
        } while readAgain
    }

    private func readToTheEnd() async {
        do {
            while true {
                let entries = try await room.entries(after: sequence, limit: pageSize)
                guard let last = entries.last else { return }
                lobby.roomLogged(entries)
                sequence = last.sequence
                if entries.count < pageSize { return }
            }
        } catch {
            logger.warning("reading the room log failed", metadata: ["error": "\(error)"])
        }
    }
}
