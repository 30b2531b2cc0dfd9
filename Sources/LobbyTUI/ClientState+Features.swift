import LobbyCore

/// Private messages, away lines, reconnect flaps, the smart filter, history pages and search
/// results: how each network event of the chat features becomes lines.
extension ClientState {
    /// The smart filter shows joins and leaves of users who spoke this recently.
    static let smartFilterMilliseconds: Int64 = 10 * 60_000
    static let historyPageSize = 100
    static let clearedMarker = "-- cleared with /clear --"

    /// Shows a private message not shown before; returns whether it was new.
    @discardableResult
    mutating func show(_ direct: DirectMessage, now: Timestamp) -> Bool {
        guard shownDirectIDs.insert(direct.id).inserted else { return false }
        let isOutgoing = direct.from == ownName && direct.to != ownName
        if !isOutgoing, ignoreList.contains(direct.from) { return false }
        if scrollOffset > 0, !isOutgoing {
            unseenMessages += 1
            unseenMentions += 1
        }
        let kind = ChatLine.Kind.direct(from: direct.from, to: direct.to, text: direct.text, isOutgoing: isOutgoing)
        append(kind, at: direct.at, now: now)
        return true
    }

    /// The line for a join, leave or away change, if the filter lets it through.
    mutating func showPresence(_ event: PresenceEvent, now: Timestamp) {
        if ignoreList.contains(event.user) { return }
        switch event.type {
        case .status:
            append(.away(user: event.user, message: event.away), at: event.at, now: now)
        case .leave:
            continuity.left(event)
            guard isShownByFilter(event.user, at: event.at) else { return }
            append(.leave(user: event.user, reason: event.reason), at: event.at, now: now)
        case .join:
            let line = continuity.joinLine(for: event)
            guard isShownByFilter(event.user, at: event.at) else { return }
            append(line == .returned ? .rejoin(user: event.user) : .join(user: event.user), at: event.at, now: now)
        }
    }

    /// After a reconnect: a restart said once, and joins only for those who were not there
    /// before (the others were there all along, as far as the reader is concerned).
    mutating func showChanges(_ reconnect: RoomContinuity.Reconnect, now: Timestamp) {
        if reconnect.serverRestarted { append(.notice("server restarted"), at: now, now: now) }
        for user in reconnect.arrived where !ignoreList.contains(user) && isShownByFilter(user, at: now) {
            append(.join(user: user), at: now, now: now)
        }
    }

    private func isShownByFilter(_ user: String, at: Timestamp) -> Bool {
        switch joinFilter {
        case .all: return true
        case .smart:
            guard user != ownName, let spoke = lastSpoke[user] else { return user == ownName }
            return at.millisecondsSince1970 - spoke.millisecondsSince1970 <= Self.smartFilterMilliseconds
        }
    }

    /// Whether `text` names `name` as a word, in any case: `Alice:` and `@alice` do, `malice`
    /// does not.
    func mentions(_ name: String, in text: String) -> Bool {
        let needle = Array(name.lowercased())
        let haystack = Array(text.lowercased())
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        func isWordCharacter(_ character: Character) -> Bool {
            character.isLetter || character.isNumber || character == "_" || character == "-"
        }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle
        {
            let before = start > 0 ? haystack[start - 1] : " "
            let after = start + needle.count < haystack.count ? haystack[start + needle.count] : " "
            if !isWordCharacter(before), !isWordCharacter(after) { return true }
        }
        return false
    }

    // MARK: - History on demand

    /// The request for the page before the oldest loaded message, unless one is on its way, the
    /// beginning was reached, or there is no connection to ask on.
    mutating func requestOlderHistory() -> [ClientCommand] {
        guard case .connected = status, !isHistoryRequested, !reachedBeginningOfHistory,
            let oldest = oldestMessageID
        else { return [] }
        isHistoryRequested = true
        return [.requestHistory(before: oldest, limit: Self.historyPageSize)]
    }

    /// Puts older messages (oldest first) above the loaded ones. The view stays on the rows it
    /// showed: the offset counts from the bottom, which does not move.
    mutating func prependHistory(_ messages: [ChatMessage], now: Timestamp) {
        isHistoryRequested = false
        let fresh = messages.sorted { $0.id < $1.id }.filter { shownMessageIDs.insert($0.id).inserted }
        guard !fresh.isEmpty else {
            if messages.isEmpty, !reachedBeginningOfHistory {
                reachedBeginningOfHistory = true
                lines.insert(ChatLine(kind: .marker("-- beginning of history --"), at: now, time: ""), at: 0)
                if hasUnmarkedClear {
                    hasUnmarkedClear = false
                    lines.insert(ChatLine(kind: .marker(Self.clearedMarker), at: now, time: ""), at: 1)
                }
            }
            return
        }
        oldestMessageID = min(oldestMessageID ?? fresh[0].id, fresh[0].id)
        var block: [ChatLine] = []
        var day: LocalTime?
        for message in fresh {
            let local = timeZone.localTime(of: message.at)
            if day.map({ !local.isSameDay(as: $0) }) ?? true {
                block.append(ChatLine(kind: .dayChange(local.longDate), at: message.at, time: local.clock))
            }
            day = local
            let kind = Self.kind(of: message, ownName: ownName)
            block.append(
                ChatLine(kind: kind, at: message.at, time: clock(of: message.at, local), messageID: message.id))
        }
        if hasUnmarkedClear {
            // The lines between this page and the ones shown were cleared: say so, not a silent gap.
            hasUnmarkedClear = false
            block.append(ChatLine(kind: .marker(Self.clearedMarker), at: now, time: ""))
        } else if let first = lines.first, case .dayChange(let date) = first.kind, date == day?.longDate {
            // The day line that opened the loaded lines is now said by the block.
            lines.removeFirst()
        }
        lines.insert(contentsOf: block, at: 0)
    }

    // MARK: - Search

    /// A header, then the results oldest first (the server sends newest first), so they read
    /// down to the most recent like the chat does.
    mutating func showSearchResults(_ reply: SearchReply, now: Timestamp) {
        let count = reply.messages.count
        appendUndated(.marker("-- search: \(reply.query) (\(count) result\(count == 1 ? "" : "s")) --"), now: now)
        for message in reply.messages.reversed() {
            let local = timeZone.localTime(of: message.at)
            appendUndated(
                .found(user: message.user, text: message.text, date: local.isoDate), time: local.clock, now: now)
        }
    }
}
