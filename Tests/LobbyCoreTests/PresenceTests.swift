import LobbyCore
import Testing

/// A validated name for tests, which only use valid ones.
func name(_ raw: String) -> UserName {
    try! UserName(validating: raw)
}

@Suite("Presence")
struct PresenceTests {
    let alice = name("alice")
    let bob = name("bob")

    @Test func firstSessionJoins() {
        var presence = Presence()
        #expect(presence.track("s1", as: alice) == [.joined(alice, sessions: 1)])
        #expect(presence.user(of: "s1") == alice)
        #expect(presence.sessionCount(of: alice) == 1)
        #expect(presence.members == [Member(user: "alice", sessions: 1)])
    }

    /// Look-alike names are one user, listed under the form its first session typed, and the
    /// last session's end removes that entry whatever form it typed (no ghost in the list).
    @Test func lookAlikeNamesAreOneUserListedAsFirstTyped() {
        var presence = Presence()
        let cyrillic = name("\u{430}lice")
        #expect(presence.track("s1", as: alice) == [.joined(alice, sessions: 1)])
        #expect(presence.track("s2", as: cyrillic) == [])
        #expect(presence.track("s3", as: name("ALICE")) == [])
        #expect(presence.member(named: cyrillic)?.rawValue == "alice")
        #expect(presence.members == [Member(user: "alice", sessions: 3)])
        #expect(presence.untrack("s1", reason: .closed) == nil)
        #expect(presence.untrack("s3", reason: .closed) == nil)
        let left = presence.untrack("s2", reason: .quit)
        #expect(left == .left(alice, reason: .quit, sessions: 0))
        #expect(left?.user.rawValue == "alice")
        #expect(presence.members.isEmpty)
        #expect(presence.isEmpty)
    }

    @Test func oneUserTwoSessionsJoinsOnceAndLeavesOnce() {
        var presence = Presence()
        #expect(presence.track("s1", as: alice) == [.joined(alice, sessions: 1)])
        #expect(presence.track("s2", as: alice) == [])
        #expect(presence.sessionCount(of: alice) == 2)
        #expect(presence.members == [Member(user: "alice", sessions: 2)])

        #expect(presence.untrack("s1", reason: .closed) == nil)
        #expect(presence.sessionCount(of: alice) == 1)
        #expect(presence.untrack("s2", reason: .quit) == .left(alice, reason: .quit, sessions: 0))
        #expect(presence.members.isEmpty)
        #expect(presence.isEmpty)
    }

    @Test func lateEndOfOldSessionKeepsUserWhoseNewerSessionLives() {
        // A reconnect races its own dead predecessor: the new session identifies before the
        // server notices the old one timed out.
        var presence = Presence()
        _ = presence.track("old", as: alice)
        #expect(presence.track("new", as: alice) == [])
        #expect(presence.untrack("old", reason: .timeout) == nil)
        #expect(presence.members == [Member(user: "alice", sessions: 1)])
        #expect(presence.user(of: "new") == alice)
        #expect(presence.user(of: "old") == nil)
    }

    @Test func untrackIsCountedExactlyOnce() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        #expect(presence.untrack("s1", reason: .quit) == .left(alice, reason: .quit, sessions: 0))
        #expect(presence.untrack("s1", reason: .closed) == nil)
        #expect(presence.untrack("s1", reason: .timeout) == nil)
    }

    @Test func repeatedUntrackOfOneSessionCannotDrainAnotherSession() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        _ = presence.track("s2", as: alice)
        #expect(presence.untrack("s1", reason: .closed) == nil)
        #expect(presence.untrack("s1", reason: .closed) == nil)
        #expect(presence.sessionCount(of: alice) == 1)
    }

    @Test func untrackingUnknownSessionChangesNothing() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        #expect(presence.untrack("never-seen", reason: .closed) == nil)
        #expect(presence.members == [Member(user: "alice", sessions: 1)])
    }

    @Test func sameSessionSameNameAgainIsNoChange() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        #expect(presence.track("s1", as: alice) == [])
        #expect(presence.sessionCount(of: alice) == 1)
    }

    @Test func renameOfOnlySessionToNewNameLeavesThenJoins() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        #expect(
            presence.track("s1", as: bob) == [.left(alice, reason: .renamed, sessions: 0), .joined(bob, sessions: 1)])
        #expect(presence.user(of: "s1") == bob)
        #expect(presence.members == [Member(user: "bob", sessions: 1)])
    }

    @Test func renameFromUserWithOtherSessionsOnlyJoinsTheNewName() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        _ = presence.track("s2", as: alice)
        #expect(presence.track("s2", as: bob) == [.joined(bob, sessions: 1)])
        #expect(presence.members == [Member(user: "alice", sessions: 1), Member(user: "bob", sessions: 1)])
    }

    @Test func renameOfLastSessionToPresentUserOnlyLeavesTheOldName() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        _ = presence.track("s2", as: bob)
        #expect(presence.track("s1", as: bob) == [.left(alice, reason: .renamed, sessions: 0)])
        #expect(presence.members == [Member(user: "bob", sessions: 2)])
    }

    @Test func renameBetweenTwoPresentUsersAnnouncesNothing() {
        var presence = Presence()
        _ = presence.track("a1", as: alice)
        _ = presence.track("a2", as: alice)
        _ = presence.track("b1", as: bob)
        #expect(presence.track("a2", as: bob) == [])
        #expect(presence.members == [Member(user: "alice", sessions: 1), Member(user: "bob", sessions: 2)])
    }

    @Test func renamedSessionEndsUnderItsNewName() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        _ = presence.track("s1", as: bob)
        #expect(presence.untrack("s1", reason: .quit) == .left(bob, reason: .quit, sessions: 0))
        #expect(presence.sessionCount(of: alice) == 0)
    }

    @Test func renameBackAndForth() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        _ = presence.track("s1", as: bob)
        #expect(
            presence.track("s1", as: alice) == [.left(bob, reason: .renamed, sessions: 0), .joined(alice, sessions: 1)])
    }

    /// `Alice` and `alice` share a skeleton: one user, so a rename between them changes nothing.
    @Test func renameOnlyChangingCaseIsTheSameUser() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        #expect(presence.track("s1", as: name("Alice")) == [])
        #expect(presence.members == [Member(user: "alice", sessions: 1)])
    }

    @Test func sessionCanBeTrackedAgainAfterItEnded() {
        var presence = Presence()
        _ = presence.track("s1", as: alice)
        _ = presence.untrack("s1", reason: .closed)
        #expect(presence.track("s1", as: alice) == [.joined(alice, sessions: 1)])
    }

    @Test func membersListEachUserOnceSortedByName() {
        var presence = Presence()
        for (session, user) in [("1", "carol"), ("2", "Bob"), ("3", "alice"), ("4", "carol"), ("5", "Alice")] {
            _ = presence.track(SessionID(session), as: name(user))
        }
        #expect(
            presence.members == [
                Member(user: "alice", sessions: 2), Member(user: "Bob", sessions: 1),
                Member(user: "carol", sessions: 2),
            ])
    }

    @Test func sessionsOfUserAreListedInIdOrder() {
        var presence = Presence()
        _ = presence.track("s2", as: alice)
        _ = presence.track("s1", as: alice)
        #expect(presence.sessions(of: alice) == ["s1", "s2"])
        #expect(presence.sessions(of: bob) == [])
    }

    @Test func changesBecomeWirePayloads() {
        let time = Timestamp(millisecondsSince1970: 1_700_000_000_000)
        #expect(PresenceChange.joined(alice, sessions: 1).event(at: time) == .join("alice", sessions: 1, at: time))
        #expect(
            PresenceChange.left(alice, reason: .timeout, sessions: 0).event(at: time)
                == .leave("alice", reason: .timeout, sessions: 0, at: time))
        #expect(PresenceChange.left(bob, reason: .quit, sessions: 0).user == bob)
    }
}
