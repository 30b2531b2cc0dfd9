import Foundation
import LobbyCore
import LobbyStore
import Logging
import NIOCore
import Synchronization

/// The coordinator: owns the lobby's two pieces of shared state and carries out their effects.
///
/// - ``LobbyState`` (under `sessions`): which sessions are live and who they are. Every change
///   is decided under this lock and its store write is enqueued while the lock is held, so the
///   store sees changes in the order they happened and each session ends exactly once.
/// - ``RoomFeed`` (under `feed`): what the room has been told. It is fed from the store
///   writer's completions, which run one at a time in enqueue order after each commit, so every
///   subscriber sees joins, leaves, welcomes and messages in the order the state changed, and
///   nothing is announced that is not stored. When a transaction's completions have run, the
///   writer says so and the feed lets everything that was pending together go out at once (or
///   at the end of its gathering window, from a timer). Effects are carried out while `feed` is
///   held, so the writer's thread and the timer never interleave their announcements.
///
/// Lock order (see docs/architecture.md): `sessions` → the writer's queue → `feed` → the
/// broker. Nothing takes `sessions` while holding `feed`. Publishing only enqueues bytes on
/// sessions' own queues: it never waits on a client.
final class Lobby: Sendable {
    private struct Sessions {
        var state = LobbyState()
        var handles: [SessionID: any SessionHandle] = [:]
        /// Each live session's transport, for the sessions-by-transport metric.
        var transports: [SessionID: String] = [:]
    }

    /// A session whose identity is being stored: it gets its welcome, then `processed` runs.
    struct IdentifyWaiter {
        let handle: any SessionHandle
        /// Whether it subscribed to its reply queue, so a welcome is built for it.
        let welcome: Bool
        /// The secret of the name claim this identity made, for its welcome.
        let token: String?
        /// The user's recent private messages, a JSON array, for its welcome.
        let directs: [UInt8]?
        let processed: (@Sendable () -> Void)?
    }

    /// A stored chat message whose SEND is handled once the room log has published it.
    struct ChatWaiter {
        let messageID: Int64
        let processed: @Sendable () -> Void
    }

    struct Feed {
        var room: RoomFeed
        /// Identities stored and not yet announced, per session, oldest first.
        var waiting: [SessionID: [IdentifyWaiter]] = [:]
        /// Whether a timer for the end of the gathering window is scheduled.
        var gatherTimerScheduled = false
        /// Shared log only: chat SENDs waiting for their message to be published, in id order.
        var chatWaiters: [ChatWaiter] = []
        /// Shared log only: the id of the newest message published.
        var publishedMessageID: Int64 = 0
        /// Shared log only: the sequence number of the last entry taken in; an entry handed
        /// over again is ignored.
        var loggedThrough: Int64 = 0

        mutating func takeWaiter(for session: SessionID) -> IdentifyWaiter? {
            guard var queue = waiting[session], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            waiting[session] = queue.isEmpty ? nil : queue
            return first
        }
    }

    typealias ResolvedEffect = (effect: RoomFeed.Effect, waiter: IdentifyWaiter?)

    let broker = Broker()
    /// Where the order of the room comes from (see ``RoomOrder``).
    let order: RoomOrder
    /// Shared log only: sessions whose start the store refused (the database was away); the
    /// start is written again before their identity, or the identity would find no row.
    /// A leaf lock: taken under `sessions` or alone, nothing is taken under it.
    let unstoredStarts = Mutex<[SessionID: SessionStart]>([:])
    private let sessions = Mutex(Sessions())
    /// The live sessions of each user on this node, by the name's skeleton, for private
    /// messages. A leaf lock: updated under `sessions`, read under `feed`; nothing is taken under it.
    let directory = Mutex<[String: [SessionID: any SessionHandle]]>([:])
    /// Sessions using a free name without a claim, ended when the name is claimed. A leaf lock.
    private let unclaimedHolders = Mutex(UnclaimedHolders())
    /// The id of the newest private message delivered (see ``catchUpDirects``). A leaf lock.
    let deliveredDirectID = Mutex<Int64>(0)
    let feed: Mutex<Feed>
    let writer: StoreWriter
    let metrics = LobbyMetrics()
    /// History and search pages read and encoded at once (see ``PageReadLimit``).
    let pageReads = PageReadLimit(limit: 4)
    /// Who may use which name; nil when claims are off (`--name-claim-days 0`).
    let nameClaims: NameClaims?
    /// The chat rate every welcome advertises (`--chat-rate`, `--chat-burst`).
    let chatRate: ChatRate?
    let logger: Logger

    /// - Parameters:
    ///   - gatherMilliseconds: While presence changes keep coming, at most one presence
    ///     message per this window (see ``RoomFeed``); 0 sends every transaction's changes at once.
    ///   - order: ``RoomOrder/commits`` for one node; ``RoomOrder/sharedLog`` when the room
    ///     log of a shared store is followed (``roomLogged(_:)``).
    ///   - present: Sessions of other nodes already identified (the shared store's snapshot).
    init(
        writer: StoreWriter, history: [ChatMessage], historyLimit: Int, logger: Logger,
        gatherMilliseconds: UInt64 = 10, order: RoomOrder = .commits,
        present: [(session: SessionID, user: UserName)] = [], away: [String: String] = [:],
        nameClaims: NameClaims? = nil, chatRate: ChatRate? = nil
    ) {
        self.writer = writer
        self.nameClaims = nameClaims
        self.chatRate = chatRate
        self.logger = logger
        self.order = order
        self.feed = Mutex(
            Feed(
                room: RoomFeed(
                    history: history, historyLimit: historyLimit, gatherMilliseconds: gatherMilliseconds,
                    present: present, away: away)))
        writer.onBatchCompleted { [weak self] in self?.batchCompleted() }
        writer.onTransaction { [metrics] writes, duration in
            metrics.commitSeconds.recordNanoseconds(
                duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
            metrics.batchSize.record(writes)
        }
    }

    /// Milliseconds of the monotonic clock: the feed's time. (Not an event loop's: the lobby
    /// is shared by every loop.)
    static func now() -> UInt64 { NIODeadline.now().millisecondsOfUptime }

    // MARK: Session lifecycle

    /// Registers a new connection. Returns false when a live session already has this id (SockJS:
    /// "Another connection still open") or the server is shutting down.
    func open(_ session: any SessionHandle, transport: String, remoteAddress: String?) -> Bool {
        admit(session, transport: transport, remoteAddress: remoteAddress) == nil
    }

    /// ``open(_:transport:remoteAddress:)``, saying why a session was refused (nil: admitted).
    func admit(
        _ session: any SessionHandle, transport: String, remoteAddress: String?
    ) -> LobbyState.OpenRefusal? {
        let refusal = sessions.withLock { sessions -> LobbyState.OpenRefusal? in
            let opened = sessions.state.sessionOpened(
                session.id, transport: transport, remoteAddress: remoteAddress, at: .now())
            switch opened {
            case .failure(let refusal):
                return refusal
            case .success(let effect):
                sessions.handles[session.id] = session
                sessions.transports[session.id] = transport
                metrics.sessionStarted(transport: transport)
                // Under the lock, so the row's start is always written before its end.
                perform(effect)
                return nil
            }
        }
        if let refusal { return refusal }
        logger.info(
            "session started",
            metadata: ["session": "\(session.id)", "transport": "\(transport)", "remote": "\(remoteAddress ?? "-")"])
        return nil
    }

    /// Ends a session for `reason`. Whatever races (a DISCONNECT, the socket closing, a timer),
    /// only the first call for a session does anything; later ones return false.
    ///
    /// The session leaves the lobby at once; its `leave` goes out once the end is stored.
    @discardableResult
    func end(_ id: SessionID, reason: LeaveReason) -> Bool {
        let now = Timestamp.now()
        let ended: UserName?? = sessions.withLock { sessions in
            let user = sessions.state.user(of: id)
            guard let effect = sessions.state.sessionEnded(id, reason: reason, at: now) else { return nil }
            if let handle = sessions.handles.removeValue(forKey: id) {
                broker.removeAll(of: handle)
            }
            metrics.sessionEnded(transport: sessions.transports.removeValue(forKey: id), reason: reason)
            if let user { unlist(id, as: user) }
            perform(effect)
            return .some(user)
        }
        guard let ended else { return false }
        if order == .sharedLog {
            dropWaiters(of: [id])
        }
        logger.info(
            "session ended",
            metadata: ["session": "\(id)", "user": "\(ended?.rawValue ?? "-")", "reason": "\(reason.rawValue)"])
        return true
    }

    /// Stops accepting sessions and ends every live one with `shutdown`.
    func shutdown() {
        let handles = sessions.withLock { sessions in
            sessions.state.shutdownBegan().compactMap { sessions.handles[$0] }
        }
        for handle in handles where end(handle.id, reason: .shutdown) {
            handle.terminate(reason: .shutdown)
        }
    }

    /// This node is fenced (see ``LobbyState/fenced()``): every session is closed with
    /// `node-lost`, nothing is written or announced; a surviving node records the ends and the
    /// room log brings their leaves here too.
    func fence() {
        directory.withLock { $0.removeAll() }
        let handles = sessions.withLock { sessions -> [any SessionHandle] in
            sessions.state.fenced().compactMap { id in
                metrics.sessionEnded(transport: sessions.transports.removeValue(forKey: id), reason: .nodeLost)
                guard let handle = sessions.handles.removeValue(forKey: id) else { return nil }
                broker.removeAll(of: handle)
                return handle
            }
        }
        dropWaiters(of: handles.map(\.id))
        logger.warning("fenced: closing every session of this node", metadata: ["sessions": "\(handles.count)"])
        for handle in handles {
            handle.terminate(reason: .nodeLost)
        }
    }

    /// The node rejoined its cluster after ``fence()``: sessions are accepted again.
    func rejoined() {
        sessions.withLock { $0.state.rejoined() }
    }

    var liveSessionCount: Int { sessions.withLock { $0.state.liveSessionCount } }

    /// Why new sessions are refused right now (shutting down, fenced); nil while accepted.
    var notAcceptingReason: String? { sessions.withLock { $0.state.notAcceptingReason } }

    /// Live sessions of a user, or the one session with an id.
    func sessions(matching request: KickRequest) -> [any SessionHandle] {
        sessions.withLock { sessions in
            sessions.handles.values.filter { handle in
                (request.user != nil && sessions.state.user(of: handle.id)?.rawValue == request.user)
                    || (request.session != nil && handle.id.rawValue == request.session)
            }
        }
    }

    func user(of id: SessionID) -> UserName? {
        sessions.withLock { $0.state.user(of: id) }
    }

    /// Whether a session is live here.
    func isLive(_ id: SessionID) -> Bool {
        sessions.withLock { $0.handles[id] != nil }
    }

    // MARK: Identity

    /// Handles `SEND /app/identity`: maps the session to the user, stores the mapping, then
    /// answers the session with its `welcome` and tells everyone else (DESIGN's order).
    /// `processed` runs once the frame is fully handled, after the welcome or the error.
    /// `address`: the peer's, for the per-address limit on new name claims.
    func identify(
        _ session: any SessionHandle, body: [UInt8], address: String? = nil,
        processed: (@Sendable () -> Void)? = nil
    ) {
        let refuse = { (code: String, message: String) in
            self.metrics.identifyRefused(code: code)
            self.replyError(session, code, message)
            processed?()
        }
        guard case .success(let request) = PayloadCoding.decode(IdentityRequest.self, from: body) else {
            return refuse(
                ErrorCode.invalidJSON, #"identity must be JSON {"sessionId":"<your session id>","clientData":"<name>"}"#
            )
        }
        guard request.sessionId == session.id.rawValue else {
            logger.notice(
                "identity for another session refused",
                metadata: ["session": "\(session.id)", "claimed": "\(request.sessionId)"])
            return refuse(ErrorCode.sessionMismatch, "sessionId does not match this connection's session id")
        }
        let user: UserName
        // A name only earlier rules allowed stays usable by the holder of its claim's token.
        var existingClaimOnly = false
        do {
            user = try UserName(validating: request.clientData)
        } catch {
            guard request.token != nil, nameClaims != nil,
                let previous = try? UserName(previouslyClaimed: request.clientData)
            else { return refuse(ErrorCode.invalidName, error.description) }
            user = previous
            existingClaimOnly = true
        }
        // The session's later frames wait for this answer (StompSession holds them back).
        Task {
            // Only a session that gets a welcome learns a new claim's secret, and gets its
            // private messages in it.
            let wantsWelcome = broker.hasSubscription(session, to: Destination.reply)
            let decision =
                await nameClaims?.decide(
                    for: user, token: request.token, at: .now(), mayClaim: wantsWelcome, address: address,
                    existingClaimOnly: existingClaimOnly)
                ?? .granted(newToken: nil)
            switch decision {
            case .granted, .grantedUnclaimed:
                var newToken: String?
                if case .granted(let token) = decision { newToken = token }
                let deliveredBefore = deliveredDirectID.withLock { $0 }
                let directs = wantsWelcome ? await recentDirects(of: user) : nil
                if decision == .grantedUnclaimed { unclaimedHolders.withLock { $0.add(session, as: user) } }
                accept(
                    session, as: user, welcome: wantsWelcome, token: newToken, directs: directs?.json,
                    processed: processed)
                catchUpDirects(session, user: user, after: directs?.newestID ?? 0, deliveredBefore: deliveredBefore)
                if newToken != nil {
                    endUnclaimedHolders(of: user, except: session.id)
                } else if decision == .grantedUnclaimed {
                    await endIfClaimedMeanwhile(session, as: user)
                }
            case .taken where existingClaimOnly:
                refuse(
                    ErrorCode.invalidName,
                    "\(Self.nameRuleViolation(request.clientData)) (a name claimed before this rule is kept for its owner's token)"
                )
            case .taken:
                logger.notice(
                    "identity for a claimed name refused", metadata: ["session": "\(session.id)", "user": "\(user)"])
                refuse(
                    ErrorCode.nameTaken,
                    "the name \(user) is claimed by someone else: send its token, or choose another name")
            case .rateLimited:
                refuse(
                    ErrorCode.rateLimited,
                    "too many new names from your address; at most \(nameClaims?.claimsPerAddress ?? 0) an hour")
            case .unavailable:
                refuse(ErrorCode.storeUnavailable, "the name could not be checked; try again")
            }
        }
    }

    /// Why `raw` fails the current name rules, for the refusal of a name without a claim.
    private static func nameRuleViolation(_ raw: String) -> String {
        do {
            _ = try UserName(validating: raw)
            return "name is not allowed"
        } catch {
            return error.description
        }
    }

    // MARK: Names used without a claim

    /// A name was just claimed: sessions of this node that used it without a claim may no
    /// longer speak as it or receive its private messages. They cannot have learnt the secret
    /// (they had no reply queue), so they are told (`name-claimed`) and ended.
    private func endUnclaimedHolders(of user: UserName, except claimer: SessionID) {
        let holders = unclaimedHolders.withLock { $0.take(user, except: claimer) }
        for holder in holders {
            replyError(
                holder, ErrorCode.nameClaimed,
                "\(user) was just claimed by its owner; identify again with another name")
            logger.notice(
                "unclaimed holder of a name ended: the name was claimed",
                metadata: ["session": "\(holder.id)", "user": "\(user)"])
            if end(holder.id, reason: .closed) {
                holder.terminate(reason: .closed)
            }
        }
    }

    /// Another session identified as `user` (on any node, through the room log): if the name is
    /// claimed now, this node's sessions holding it unclaimed are ended.
    func endUnclaimedHoldersIfClaimed(_ user: UserName, except session: SessionID) {
        guard unclaimedHolders.withLock({ $0.hasHolders(of: user, except: session) }) else { return }
        Task {
            guard await nameClaims?.isClaimed(user, at: .now()) == true else { return }
            endUnclaimedHolders(of: user, except: session)
        }
    }

    /// A session took a free name unclaimed: if a claim was made between its read and its
    /// identity (here or on another node), it is ended as ``endUnclaimedHolders(of:except:)``
    /// would have.
    private func endIfClaimedMeanwhile(_ session: any SessionHandle, as user: UserName) async {
        guard await nameClaims?.isClaimed(user, at: .now()) == true else { return }
        let stillHolder = unclaimedHolders.withLock { $0.remove(session.id, as: user) }
        guard stillHolder else { return }
        replyError(session, ErrorCode.nameClaimed, "\(user) is claimed by its owner; identify again with another name")
        if end(session.id, reason: .closed) {
            session.terminate(reason: .closed)
        }
    }

    /// The identity is allowed: the session becomes `user`. `welcome`: whether it subscribed to
    /// its reply queue, decided once in ``identify(_:body:processed:)`` so that a session that
    /// claimed its name is the one that gets the welcome carrying the secret (frames behind the
    /// identity, an UNSUBSCRIBE included, wait until it is answered).
    private func accept(
        _ session: any SessionHandle, as user: UserName, welcome: Bool, token: String?, directs: [UInt8]?,
        processed: (@Sendable () -> Void)?
    ) {
        let identified = sessions.withLock { sessions in
            let waiter = IdentifyWaiter(
                handle: session, welcome: welcome, token: token, directs: directs, processed: processed)
            let previous = sessions.state.user(of: session.id)
            guard
                let effect = sessions.state.identityReceived(session.id, as: user, welcome: welcome, at: .now())
            else { return false }
            if let previous { unlist(session.id, as: previous) }
            directory.withLock { $0[user.skeleton, default: [:]][session.id] = session }
            perform(effect, waiter: waiter)
            return true
        }
        guard identified else {
            processed?()
            return
        }
        logger.info("session identified", metadata: ["session": "\(session.id)", "user": "\(user)"])
    }

    // MARK: Chat

    /// Handles `SEND /app/chat`: validates, stores, and only then broadcasts. `processed` runs once
    /// the frame is fully handled (the session sends its RECEIPT there): after the broadcast of a
    /// stored message, never before its row is committed, or after the private error of a rejected one.
    func chat(_ session: any SessionHandle, body: [UInt8], processed: (@Sendable () -> Void)? = nil) {
        guard let user = user(of: session.id) else {
            replyError(session, ErrorCode.notIdentified, "send your identity to /app/identity before chatting")
            processed?()
            return
        }
        guard case .success(let request) = PayloadCoding.decode(ChatRequest.self, from: body) else {
            replyError(session, ErrorCode.invalidJSON, #"chat must be JSON {"text":"…"}"#)
            processed?()
            return
        }
        let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = ChatLimits.textProblem(text) {
            replyError(session, ErrorCode.invalidText, problem)
            processed?()
            return
        }
        storeRoomMessage(.message(user: user.rawValue, text: text, at: .now()), session: session, processed: processed)
    }

    /// Stores a chat or private message, then publishes it; `processed` runs once it went out
    /// (or was refused).
    func storeRoomMessage(_ write: StoreWrite, session: any SessionHandle, processed: (@Sendable () -> Void)?) {
        writer.enqueue(write) { [self] result in
            // The writer calls completions in enqueue order, so messages go out in id order.
            switch result {
            case .success(let message?) where order == .sharedLog:
                if message.to == nil { metrics.messages.increment() }
                // The room log publishes it, on every node at once; the SEND is handled then.
                awaitPublication(of: message.id, processed: processed ?? {})
                return
            case .success(let message?):
                if message.to == nil { metrics.messages.increment() }
                committed(.messageStored(message), waiter: nil)
            case .success(nil):
                replyError(session, ErrorCode.storeUnavailable, "the message was not stored")
            case .failure(let error):
                logger.error("storing a message failed", metadata: ["error": "\(error)"])
                replyError(session, ErrorCode.storeUnavailable, "the message could not be stored; try again")
            }
            processed?()
        }
    }

    /// Takes a session out of its user's directory entry. Called with `sessions` held.
    private func unlist(_ id: SessionID, as user: UserName) {
        directory.withLock { directory in
            directory[user.skeleton]?[id] = nil
            if directory[user.skeleton]?.isEmpty == true { directory[user.skeleton] = nil }
        }
        unclaimedHolders.withLock { _ = $0.remove(id, as: user) }
    }

    // MARK: Replies

    func replyError(_ session: any SessionHandle, _ code: String, _ message: String) {
        broker.sendPrivately(
            PayloadCoding.encode(ErrorEvent(code: code, message: message)), to: Destination.reply, session: session)
    }

    // MARK: Effects

    /// Enqueues a state change's store write; its announcement follows the commit. Called with
    /// `sessions` held, so writes reach the store in the order the state changed.
    private func perform(_ effect: LobbyState.Effect, waiter: IdentifyWaiter? = nil) {
        guard order == .commits else {
            performShared(effect, waiter: waiter)
            return
        }
        let then = effect.then
        writer.enqueue(effect.write) { [self] result in
            if case .failure(let error) = result {
                // The change already happened (the socket is gone, the name is taken): it is
                // announced anyway, and the failure is the operator's to see.
                logger.error("storing a session change failed", metadata: ["error": "\(error)"])
            }
            if let then { committed(then, waiter: waiter) }
        }
    }

    /// A store completion: the feed learns the committed change. Runs on the writer's thread.
    func committed(_ event: RoomEvent, waiter: IdentifyWaiter?) {
        feed.withLock { feed in
            if let waiter, case .identityStored(let id, _, _, _) = event {
                feed.waiting[id, default: []].append(waiter)
            }
            carryOut(Self.resolve(feed.room.committed(event, now: Self.now()), in: &feed))
        }
    }

    /// The writer finished a transaction and ran its completions: what is pending goes out, now
    /// or when the gathering window ends.
    private func batchCompleted() {
        scheduleGatherTimer(until: feed.withLock { feed in stepAfterBatch(&feed) })
    }

    /// What is pending goes out now, or the window's end is returned when a timer must be set.
    func stepAfterBatch(_ feed: inout Feed) -> UInt64? {
        let (effects, holdUntil) = feed.room.batchCommitted(now: Self.now())
        carryOut(Self.resolve(effects, in: &feed))
        guard let holdUntil, !feed.gatherTimerScheduled else { return nil }
        feed.gatherTimerScheduled = true
        return holdUntil
    }

    func scheduleGatherTimer(until holdUntil: UInt64?) {
        guard let holdUntil else { return }
        let delay = holdUntil > Self.now() ? holdUntil - Self.now() : 0
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(delay))) { [weak self] in
            self?.gatherWindowEnded()
        }
    }

    private func gatherWindowEnded() {
        feed.withLock { feed in
            feed.gatherTimerScheduled = false
            carryOut(Self.resolve(feed.room.gatherWindowEnded(now: Self.now()), in: &feed))
        }
    }

    static func resolve(_ effects: [RoomFeed.Effect], in feed: inout Feed) -> [ResolvedEffect] {
        effects.map { effect in
            guard case .identified(let id, _, _) = effect else { return (effect, nil) }
            return (effect, feed.takeWaiter(for: id))
        }
    }

    /// Publishes what the feed decided, in its order. Called with `feed` held: publishing only
    /// enqueues on sessions' loops, and the lock keeps the writer's thread and the gathering
    /// timer from interleaving.
    func carryOut(_ effects: [ResolvedEffect]) {
        for (effect, waiter) in effects {
            switch effect {
            case .publishPresence(let events, let excluding):
                publishPresence(events, excluding: excluding)
            case .identified(let id, let user, let welcome):
                if let welcome, let handle = waiter?.handle {
                    broker.sendPrivately(
                        welcome.body(
                            sessionID: id, user: user, token: waiter?.token, directs: waiter?.directs,
                            chatRate: chatRate),
                        to: Destination.reply,
                        session: handle)
                    metrics.delivered(1)
                }
                waiter?.processed?()
            case .publishChat(let message):
                metrics.delivered(broker.publish(PayloadCoding.encode(message), to: Destination.chatTopic))
            case .deliverDirect(let direct):
                deliver(direct)
            }
        }
    }

    private func publishPresence(_ events: [PresenceEvent], excluding: Set<SessionID>) {
        let now = Timestamp.now()
        for event in events {
            switch event.type {
            case .join:
                metrics.users.increment()
                logger.info("user joined", metadata: ["user": "\(event.user)"])
            case .leave:
                metrics.users.decrement()
                metrics.leaveBroadcastSeconds.recordMilliseconds(
                    max(0, now.millisecondsSince1970 - event.at.millisecondsSince1970))
                logger.info(
                    "user left", metadata: ["user": "\(event.user)", "reason": "\(event.reason?.rawValue ?? "-")"])
            case .status:
                logger.info("user status", metadata: ["user": "\(event.user)", "away": "\(event.away ?? "-")"])
            }
        }
        // Nobody listening (a room of clients that only chat): no JSON to build. A profile of
        // 10 000 connects had this encoding at 3.6 % of the server's CPU.
        guard broker.hasSubscribers(to: Destination.presenceTopic) else { return }
        let delivered = broker.publish(
            PayloadCoding.encode(PresenceMessage(events)), to: Destination.presenceTopic, excluding: excluding)
        metrics.delivered(delivered)
    }
}

/// Where the lobby's one order of events comes from.
enum RoomOrder: Sendable, Equatable {
    /// One node: the order in which its store writer committed the changes.
    case commits
    /// Several nodes: the shared store's room log, followed by ``RoomLogFollower``; this
    /// node's own changes are announced when the log brings them back, like every other node's.
    case sharedLog
}
