import LobbyCore

/// The sessions of this node that use a free name without claiming it (they had no reply
/// queue to learn a secret from), by the name's skeleton. When the name is claimed they are
/// ended, so nobody speaks as a claimed name or receives its private messages without its token.
struct UnclaimedHolders: Sendable {
    private var byName: [String: [SessionID: any SessionHandle]] = [:]

    mutating func add(_ session: any SessionHandle, as user: UserName) {
        byName[user.skeleton, default: [:]][session.id] = session
    }

    /// Forgets one session; returns whether it was held.
    mutating func remove(_ id: SessionID, as user: UserName) -> Bool {
        guard byName[user.skeleton]?.removeValue(forKey: id) != nil else { return false }
        if byName[user.skeleton]?.isEmpty == true { byName[user.skeleton] = nil }
        return true
    }

    /// Whether a session other than `session` holds `user`'s name unclaimed.
    func hasHolders(of user: UserName, except session: SessionID) -> Bool {
        guard let holders = byName[user.skeleton] else { return false }
        return holders.count > 1 || holders[session] == nil
    }

    /// Takes every holder of `user`'s name but `claimer`.
    mutating func take(_ user: UserName, except claimer: SessionID) -> [any SessionHandle] {
        guard var holders = byName.removeValue(forKey: user.skeleton) else { return [] }
        let kept = holders.removeValue(forKey: claimer)
        if let kept { byName[user.skeleton] = [claimer: kept] }
        return Array(holders.values)
    }
}
