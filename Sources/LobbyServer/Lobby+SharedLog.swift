import Foundation
import LobbyCore
import LobbyStore

/// The lobby when several nodes share its store (``RoomOrder/sharedLog``): every node's
/// identities, ends and messages come from the shared room log, in its order, through
/// ``RoomLogFollower``; this node's own writes are announced when the log brings them back.
/// Same locks and lock order as the rest of ``Lobby``.
extension Lobby {
    /// The sequence number of the last room log entry taken in (0 before any).
    var roomLoggedThrough: Int64 { feed.withLock { $0.loggedThrough } }

    /// Entries of the shared store's room log, in sequence order, from the follower: every
    /// node's identities, ends and messages, fed to the room as if committed here. Each batch
    /// read from the log is one step (one presence message for what it changed).
    func roomLogged(_ entries: [RoomLogEntry]) {
        var claimedElsewhere: [(SessionID, UserName)] = []
        let holdUntil = feed.withLock { feed -> UInt64? in
            for entry in entries where entry.sequence > feed.loggedThrough {
                feed.loggedThrough = entry.sequence
                let event: RoomEvent
                switch entry.change {
                case .identified(let id, let user, let time):
                    // Names were validated before they were stored; one that is not valid
                    // (written by hand) cannot be a member.
                    guard let name = UserName(stored: user) else { continue }
                    let welcome = feed.waiting[id]?.first?.welcome ?? false
                    event = .identityStored(id, user: name, welcome: welcome, at: time)
                    claimedElsewhere.append((id, name))
                case .ended(let id, let reason, let time):
                    event = .endStored(id, reason: reason, at: time)
                case .message(let message):
                    event = .messageStored(message)
                case .status(let user, let away, let time):
                    guard let name = UserName(stored: user) else { continue }
                    event = .statusStored(user: name, away: away, at: time)
                }
                carryOut(Self.resolve(feed.room.committed(event, now: Self.now()), in: &feed))
                if case .message(let message) = entry.change {
                    feed.publishedMessageID = max(feed.publishedMessageID, message.id)
                    let handled = feed.chatWaiters.prefix { $0.messageID <= feed.publishedMessageID }
                    feed.chatWaiters.removeFirst(handled.count)
                    for waiter in handled { waiter.processed() }
                }
            }
            return stepAfterBatch(&feed)
        }
        scheduleGatherTimer(until: holdUntil)
        // An identity on any node may come with a claim of the name: sessions of this node
        // that hold it unclaimed are checked (rare: only a session without a reply queue is one).
        for (session, user) in claimedElsewhere {
            endUnclaimedHoldersIfClaimed(user, except: session)
        }
    }

    /// A state change's store write when the room log announces it: a failed write is
    /// answered here, since the log will never carry it.
    ///
    /// Called with `sessions` held (or, for a retried end, alone), so writes still reach the
    /// store in the order the state changed.
    func performShared(_ effect: LobbyState.Effect, waiter: IdentifyWaiter?, attempt: Int = 1) {
        if let waiter, case .identityStored(let id, _, _, _)? = effect.then {
            feed.withLock { $0.waiting[id, default: []].append(waiter) }
        }
        switch effect.write {
        case .sessionIdentified(let id, _, _):
            // A start refused earlier goes first: an identity needs the session's row.
            if let start = unstoredStarts.withLock({ $0.removeValue(forKey: id) }) {
                performShared(LobbyState.Effect(write: .sessionStarted(start), then: nil), waiter: nil)
            }
        case .sessionEnded(let id, _, _):
            unstoredStarts.withLock { _ = $0.removeValue(forKey: id) }
        default:
            break
        }
        writer.enqueue(effect.write) { [self] result in
            guard case .failure(let error) = result else { return }
            let fenced = (error as? StoreError)?.isFenced == true
            switch effect.write {
            case .sessionStarted(let start) where !fenced:
                logger.warning(
                    "storing a session start failed; it is written again with its identity",
                    metadata: ["session": "\(start.id)", "error": "\(error)"])
                // Unless the session ended meanwhile (its end removed nothing, then).
                if isLive(start.id) {
                    unstoredStarts.withLock { $0[start.id] = start }
                }
            case .sessionIdentified(let id, _, _):
                logger.error("storing an identity failed", metadata: ["session": "\(id)", "error": "\(error)"])
                if let waiter {
                    feed.withLock { feed in
                        if var queue = feed.waiting[id],
                            let index = queue.lastIndex(where: { $0.handle === waiter.handle })
                        {
                            queue.remove(at: index)
                            feed.waiting[id] = queue.isEmpty ? nil : queue
                        }
                    }
                    replyError(
                        waiter.handle, ErrorCode.storeUnavailable, "your identity could not be stored; try again")
                    waiter.processed?()
                }
            case .sessionEnded(let id, _, _) where !fenced && attempt < Self.endWriteAttempts:
                // An end that is not stored would leave a ghost on every node: try again while
                // the database is away. Past the lease the node is fenced, and a survivor
                // ends the session instead.
                logger.warning(
                    "storing a session end failed; retrying", metadata: ["session": "\(id)", "error": "\(error)"])
                DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(1)) { [weak self] in
                    self?.performShared(effect, waiter: nil, attempt: attempt + 1)
                }
            default:
                logger.error("storing a session change failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// How often a session's end is tried while the shared store fails (once a second).
    private static let endWriteAttempts = 120

    /// Runs `processed` once the message with `id` has been published from the log (at once if
    /// it already was: the log may be read before the writer's completion runs).
    func awaitPublication(of id: Int64, processed: @escaping @Sendable () -> Void) {
        let now = feed.withLock { feed -> Bool in
            if id <= feed.publishedMessageID { return true }
            let index = feed.chatWaiters.firstIndex { $0.messageID > id } ?? feed.chatWaiters.endIndex
            feed.chatWaiters.insert(ChatWaiter(messageID: id, processed: processed), at: index)
            return false
        }
        if now { processed() }
    }

    /// Sessions that ended here stop waiting for their identities (the log may never bring them).
    func dropWaiters(of ids: [SessionID]) {
        let dropped = feed.withLock { feed in
            ids.flatMap { feed.waiting.removeValue(forKey: $0) ?? [] }
        }
        for waiter in dropped { waiter.processed?() }
    }
}
