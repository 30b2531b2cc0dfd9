import LobbyCore
import TestSupport
import Testing

@Suite("Presence invariants over random histories")
struct PresencePropertyTests {
    static let sessions: [SessionID] = (0..<6).map { SessionID("s\($0)") }
    static let users: [UserName] = ["ann", "dee", "bo", "cy"].map(name)

    @Test(arguments: 0..<40 as Range<UInt64>)
    func randomTrackAndUntrackKeepInvariants(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var presence = Presence()
        // The reference model: the user of each live session, kept the obvious way.
        var model: [SessionID: UserName] = [:]
        // Who the announcements say is present: joins and leaves must alternate per user.
        var announced: Set<UserName> = []

        for step in 0..<300 {
            let session = Self.sessions.randomElement(using: &random)!
            let countsBefore = counts(model)
            let changes: [PresenceChange]
            if Bool.random(using: &random) {
                let user = Self.users.randomElement(using: &random)!
                changes = presence.track(session, as: user)
                model[session] = user
            } else {
                let reason = LeaveReason.allCases.filter { $0 != .renamed }.randomElement(using: &random)!
                let change = presence.untrack(session, reason: reason)
                let removed = model.removeValue(forKey: session)
                if removed == nil { #expect(change == nil, "seed \(seed) step \(step): untrack of absent session") }
                if case .left(_, let leftReason, _)? = change { #expect(leftReason == reason) }
                changes = change.map { [$0] } ?? []
            }
            let countsAfter = counts(model)

            for change in changes {
                switch change {
                case .joined(let user, let sessions):
                    #expect(!announced.contains(user), "seed \(seed) step \(step): \(user) joined twice")
                    #expect(countsBefore[user] == nil && sessions == countsAfter[user])
                    announced.insert(user)
                case .left(let user, _, let sessions):
                    #expect(announced.contains(user), "seed \(seed) step \(step): \(user) left while absent")
                    #expect(countsBefore[user] != nil && countsAfter[user] == nil && sessions == 0)
                    announced.remove(user)
                }
            }
            // Every user whose presence flipped was announced, and nobody else.
            let flipped = Set(countsBefore.keys).symmetricDifference(countsAfter.keys)
            #expect(Set(changes.map(\.user)) == flipped, "seed \(seed) step \(step)")

            #expect(announced == Set(countsAfter.keys))
            #expect(
                presence.members
                    == countsAfter.sorted { $0.key < $1.key }.map { Member(user: $0.key.rawValue, sessions: $0.value) })
            for candidate in Self.sessions {
                #expect(presence.user(of: candidate) == model[candidate])
            }
            for user in Self.users {
                #expect(presence.sessionCount(of: user) == countsAfter[user, default: 0])
            }
        }
    }

    private func counts(_ model: [SessionID: UserName]) -> [UserName: Int] {
        model.values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
