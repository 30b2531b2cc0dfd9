import Foundation
import LobbyCore
import LobbyStore
import Logging

/// Private messages, away status, history on demand and search (docs/protocol.md).
///
/// Private messages and away changes are room events like chat: stored first, then announced
/// in the room's order (on every node, through the room log when several share the store).
/// History and search are reads of the store answered on the session's reply queue.
extension Lobby {
    // MARK: Private messages

    /// Handles `SEND /app/direct`: stored, then delivered on `/user/queue/direct` to every
    /// session of the sender and of the recipient, on every node.
    func direct(_ session: any SessionHandle, body: [UInt8], processed: @escaping @Sendable () -> Void) {
        guard let user = user(of: session.id) else {
            return refuse(session, ErrorCode.notIdentified, "send your identity before private messages", processed)
        }
        guard case .success(let request) = PayloadCoding.decode(DirectRequest.self, from: body) else {
            return refuse(session, ErrorCode.invalidJSON, #"direct must be JSON {"to":"<name>","text":"…"}"#, processed)
        }
        guard let named = UserName(stored: request.to) else {
            return refuse(session, ErrorCode.notHere, "there is no user called \(request.to)", processed)
        }
        let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = ChatLimits.textProblem(text) {
            return refuse(session, ErrorCode.invalidText, problem, processed)
        }
        // The recipient as listed: `/msg BOB` reaches `bob`, and is stored as to `bob`.
        guard let recipient = feed.withLock({ $0.room.member(named: named) }) else {
            return refuse(session, ErrorCode.notHere, "\(named) is not here", processed)
        }
        storeRoomMessage(
            .message(user: user.rawValue, text: text, at: .now(), to: recipient.rawValue), session: session,
            processed: processed)
    }

    /// Sends a stored private message to the sessions of its two users on this node. Called
    /// with `feed` held (``carryOut(_:)``); `directory` is a leaf lock.
    func deliver(_ direct: DirectMessage) {
        let body = PayloadCoding.encode(direct)
        let from = NameSkeleton.of(direct.from)
        let to = NameSkeleton.of(direct.to)
        let handles = directory.withLock { directory in
            Array((directory[from] ?? [:]).values) + (to == from ? [] : Array((directory[to] ?? [:]).values))
        }
        for handle in handles {
            broker.sendPrivately(body, to: Destination.directQueue, session: handle)
        }
        deliveredDirectID.withLock { $0 = max($0, direct.id) }
    }

    /// The user's recent private messages as a JSON array, for the welcome.
    func recentDirects(of user: UserName) async -> (json: [UInt8], newestID: Int64)? {
        guard let messages = try? await writer.store.directMessages(of: user.rawValue, limit: ChatLimits.welcomeDirects)
        else { return nil }
        // Half of the welcome's budget (the history has the other): 50 private messages of
        // 58 KB made a welcome of 7 MB that its own client could never take.
        let directs = ReplyBudget.newest(messages.compactMap(\.direct), within: ReplyBudget.welcomeBytes / 2)
        return (PayloadCoding.encode(directs), messages.last?.id ?? 0)
    }

    /// After an identity, private messages delivered while the welcome's were being read (and so
    /// in neither) are sent to the new session; a client ignores ids it already has.
    func catchUpDirects(_ session: any SessionHandle, user: UserName, after id: Int64, deliveredBefore: Int64) {
        guard deliveredDirectID.withLock({ $0 }) > deliveredBefore else { return }
        Task {
            let messages =
                (try? await writer.store.directMessages(of: user.rawValue, limit: ChatLimits.welcomeDirects)) ?? []
            for direct in messages.compactMap(\.direct) where direct.id > id {
                broker.sendPrivately(PayloadCoding.encode(direct), to: Destination.directQueue, session: session)
            }
        }
    }

    // MARK: Away

    /// Handles `SEND /app/status`: `{"away":"lunch"}` or `{"away":null}`; everyone gets a
    /// `status` presence event once it is stored.
    func status(_ session: any SessionHandle, body: [UInt8], processed: @escaping @Sendable () -> Void) {
        guard let user = user(of: session.id) else {
            return refuse(session, ErrorCode.notIdentified, "send your identity before your status", processed)
        }
        guard case .success(let request) = PayloadCoding.decode(StatusRequest.self, from: body) else {
            return refuse(
                session, ErrorCode.invalidJSON, #"status must be JSON {"away":"<message>"} or {"away":null}"#, processed
            )
        }
        let away = request.away?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let away, !away.isEmpty,
            !ChatLimits.awayLength.contains(away.count) || away.utf8.count > ChatLimits.maximumAwayBytes
        {
            return refuse(session, ErrorCode.invalidText, "an away message must be at most 200 characters", processed)
        }
        let message = away?.isEmpty == false ? away : nil
        writer.enqueue(.status(user: user.rawValue, away: message, at: .now())) { [self] result in
            switch result {
            case .success where order == .commits:
                committed(.statusStored(user: user, away: message, at: .now()), waiter: nil)
            case .success:
                break  // The room log announces it.
            case .failure(let error):
                logger.error("storing a status failed", metadata: ["error": "\(error)"])
                replyError(session, ErrorCode.storeUnavailable, "the status could not be stored; try again")
            }
            processed()
        }
    }

    // MARK: History and search

    /// Handles `SEND /app/history`: older room messages, oldest first, on the reply queue.
    func history(_ session: any SessionHandle, body: [UInt8], processed: @escaping @Sendable () -> Void) {
        guard user(of: session.id) != nil else {
            return refuse(session, ErrorCode.notIdentified, "send your identity before asking for history", processed)
        }
        guard case .success(let request) = PayloadCoding.decode(HistoryRequest.self, from: body) else {
            return refuse(
                session, ErrorCode.invalidJSON, #"history must be JSON {"before":<message id>,"limit":100}"#, processed)
        }
        if let before = request.before, before < 1 {
            return refuse(session, ErrorCode.invalidRequest, "before must be a message id (1 or more)", processed)
        }
        let limit = request.limit ?? ChatLimits.defaultHistoryPage
        guard ChatLimits.pageLimit.contains(limit) else {
            return refuse(session, ErrorCode.invalidRequest, "limit must be 1 to 200", processed)
        }
        answer(session, processed: processed, operation: "reading history") { store in
            HistoryReply(
                before: request.before,
                messages: ReplyBudget.newest(
                    try await store.messages(before: request.before, limit: limit), within: ReplyBudget.pageBytes))
        }
    }

    /// Handles `SEND /app/search`: room messages with every word of the query, newest first.
    func search(_ session: any SessionHandle, body: [UInt8], processed: @escaping @Sendable () -> Void) {
        guard user(of: session.id) != nil else {
            return refuse(session, ErrorCode.notIdentified, "send your identity before searching", processed)
        }
        guard case .success(let request) = PayloadCoding.decode(SearchRequest.self, from: body) else {
            return refuse(session, ErrorCode.invalidJSON, #"search must be JSON {"query":"…","limit":50}"#, processed)
        }
        let words = Array(SearchWords.words(in: request.query).prefix(SearchWords.maximumWords))
        guard !words.isEmpty, request.query.count <= 200 else {
            return refuse(
                session, ErrorCode.invalidRequest, "a search needs a word (letters or digits), at most 200 characters",
                processed)
        }
        let limit = request.limit ?? ChatLimits.defaultSearchPage
        guard ChatLimits.pageLimit.contains(limit) else {
            return refuse(session, ErrorCode.invalidRequest, "limit must be 1 to 200", processed)
        }
        answer(session, processed: processed, operation: "searching") { store in
            SearchReply(
                query: request.query,
                messages: ReplyBudget.first(
                    try await store.searchMessages(words: words, limit: limit), within: ReplyBudget.pageBytes))
        }
    }

    // MARK: Helpers

    /// A read of the store, answered privately (or with `store-unavailable`).
    private func answer(
        _ session: any SessionHandle, processed: @escaping @Sendable () -> Void, operation: String,
        _ read: @escaping @Sendable (any LobbyStore) async throws -> some Encodable & Sendable
    ) {
        let store = writer.store
        Task {
            await pageReads.run {
                do {
                    let reply = try await read(store)
                    broker.sendPrivately(PayloadCoding.encode(reply), to: Destination.reply, session: session)
                } catch {
                    logger.error("\(operation) failed", metadata: ["error": "\(error)"])
                    replyError(session, ErrorCode.storeUnavailable, "\(operation) failed; try again")
                }
            }
            processed()
        }
    }

    private func refuse(
        _ session: any SessionHandle, _ code: String, _ message: String, _ processed: @Sendable () -> Void
    ) {
        replyError(session, code, message)
        processed()
    }
}
