import LobbyCore
import Testing

@testable import LobbyStore

/// What every `LobbyStore` adapter must do, run against each of them.
@Suite("LobbyStore conformance")
struct StoreConformanceTests {
    // MARK: Messages

    /// Issue 26: `/search gree` missed "greetings" and `/search 안녕` missed "안녕하세요". Every
    /// query word matches the start of a word; a word of a script without spaces also matches
    /// anywhere in the text. Words of a query are all required; engine syntax means nothing.
    @Test(arguments: StoreKind.available)
    func searchMatchesPrefixesAndSubstringsOfUnspacedScripts(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let texts = [
                "greetings, everyone", "안녕하세요 여러분", "東京都に住んでいます", "the Green Room", "ungreeted",
                "สวัสดีครับ", "Release on Friday",
            ]
            _ = try await store.apply(texts.enumerated().map { message($1, at: Int64($0)) })
            func found(_ query: String) async throws -> [String] {
                try await store.searchMessages(words: SearchWords.words(in: query), limit: 50).map(\.text)
            }
            #expect(try await found("gree") == ["the Green Room", "greetings, everyone"])
            #expect(try await found("안녕") == ["안녕하세요 여러분"])
            #expect(try await found("하세") == ["안녕하세요 여러분"], "two characters inside a word")
            #expect(try await found("하세요") == ["안녕하세요 여러분"], "three: the trigram index")
            #expect(try await found("京都") == ["東京都に住んでいます"])
            #expect(try await found("住んで") == ["東京都に住んでいます"])
            #expect(try await found("ดีครับ") == ["สวัสดีครับ"])
            #expect(try await found("eted").isEmpty, "Latin words match by prefix only")
            #expect(try await found("green room") == ["the Green Room"])
            #expect(try await found("green friday").isEmpty, "every word is required")
            #expect(try await found("rel*").map { $0 } == ["Release on Friday"], "no engine syntax")
            for text in texts {
                let words = SearchWords.words(in: text)
                #expect(SearchWords.matches(text, words: words), "\(text) matches its own words")
            }
        }
    }

    /// Issue 21: a page of 200 messages of 16 KiB was read whole for every history request.
    /// Only the newest whose texts fit in ReplyBudget.pageBytes are read.
    @Test(arguments: StoreKind.available)
    func historyAndSearchPagesAreBoundedInBytes(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let big = String(repeating: "\u{1F600}", count: 3_990)  // 15 960 bytes
            _ = try await store.apply((1...40).map { message("word \($0) \(big)", at: Int64($0)) })
            let fits = ReplyBudget.pageBytes / (big.utf8.count + 8)
            let page = try await store.messages(before: nil, limit: 200)
            #expect((fits - 1...fits).contains(page.count), "\(page.count)")
            #expect(page.last?.text.hasPrefix("word 40 ") == true, "the newest are kept")
            #expect(page.map(\.id) == page.map(\.id).sorted(), "oldest first")
            let found = try await store.searchMessages(words: ["word"], limit: 200)
            #expect(found.count == page.count)
            #expect(found.first?.text.hasPrefix("word 40 ") == true, "newest first")
            #expect(try await store.messages(before: nil, limit: 3).count == 3)
        }
    }

    /// `--session-retention-days`: ended rows older than the cut are deleted, open rows and
    /// newer ended rows stay.
    @Test(arguments: StoreKind.available)
    func pruningDeletesOnlySessionsThatEndedBeforeTheCut(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([
                start("old", at: 1), .sessionEnded("old", reason: .quit, at: at(10)),
                start("recent", at: 2), .sessionEnded("recent", reason: .closed, at: at(500)),
                start("open", at: 3),
            ])
            #expect(try await store.pruneSessions(endedBefore: at(100)) == 1)
            let left = try await store.sessions(includeEnded: true, limit: 10).map(\.id).sorted()
            #expect(left == ["open", "recent"])
            #expect(try await store.pruneSessions(endedBefore: at(100)) == 0)
            _ = try await store.apply([.sessionEnded("open", reason: .quit, at: at(600))])
            #expect(try await store.sessions(includeEnded: false, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func emptyBatchStoresNothing(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await store.apply([])
            #expect(stored == [])
            #expect(try await store.recentMessages(limit: 10) == [])
        }
    }

    @Test(arguments: StoreKind.available)
    func messageIdsIncreaseWithinAndAcrossBatches(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let first = try await store.apply([message("one"), message("two")])
            let second = try await store.apply([message("three")])
            let ids = (first + second).map(\.id)
            #expect(ids.count == 3)
            #expect(ids[0] > 0)
            #expect(ids == ids.sorted() && Set(ids).count == 3)
        }
    }

    @Test(arguments: StoreKind.available)
    func applyReturnsTheBatchMessagesInOrderAsStored(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await store.apply([
                start("s1", at: 0),
                message("hello", by: "alice", at: 1),
                .sessionIdentified("s1", user: "bob", at: at(2)),
                message("héllo 👋\nsecond line", by: "bob", at: 3),
            ])
            #expect(stored.map(\.text) == ["hello", "héllo 👋\nsecond line"])
            #expect(stored.map(\.user) == ["alice", "bob"])
            #expect(stored.map(\.at) == [at(1), at(3)])
            #expect(try await store.recentMessages(limit: 10) == stored)
        }
    }

    @Test(arguments: StoreKind.available)
    func recentMessagesAreTheNewestOldestFirst(kind: StoreKind) async throws {
        try await kind.withStore { store in
            for batch in stride(from: 0, to: 10, by: 3) {
                _ = try await store.apply((batch..<min(batch + 3, 10)).map { message("m\($0)", at: Int64($0)) })
            }
            #expect(try await store.recentMessages(limit: 4).map(\.text) == ["m6", "m7", "m8", "m9"])
            #expect(try await store.recentMessages(limit: 1).map(\.text) == ["m9"])
            #expect(try await store.recentMessages(limit: 100).map(\.text) == (0..<10).map { "m\($0)" })
            #expect(try await store.recentMessages(limit: 0) == [])
            #expect(try await store.recentMessages(limit: -5) == [])
        }
    }

    @Test(arguments: StoreKind.available)
    func historyOrderIsIdOrderNotTimestampOrder(kind: StoreKind) async throws {
        // Clocks can step backwards; the id (arrival order) is what orders the room.
        try await kind.withStore { store in
            _ = try await store.apply([message("later clock", at: 500), message("earlier clock", at: 100)])
            #expect(try await store.recentMessages(limit: 2).map(\.text) == ["later clock", "earlier clock"])
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentBatchesGetDistinctIds(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        try await store.apply((0..<5).map { message("t\(task)-\($0)") }).map(\.id)
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(Set(ids).count == 40)
            #expect(try await store.recentMessages(limit: 100).count == 40)
        }
    }

    // MARK: Sessions

    @Test(arguments: StoreKind.available)
    func sessionLifecycleIsRecorded(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([start("s1", at: 0, transport: "xhr_streaming", remoteAddress: "10.0.0.7")])
            #expect(
                try await store.sessions(includeEnded: false, limit: 10).withoutNodes == [
                    SessionRecord(id: "s1", connectedAt: at(0), remoteAddress: "10.0.0.7", transport: "xhr_streaming")
                ])

            _ = try await store.apply([.sessionIdentified("s1", user: "alice", at: at(5))])
            let identified = try await store.sessions(includeEnded: false, limit: 10)
            #expect(identified.map(\.user) == ["alice"])
            #expect(identified.map(\.identifiedAt) == [at(5)])

            _ = try await store.apply([.sessionEnded("s1", reason: .timeout, at: at(9))])
            #expect(try await store.sessions(includeEnded: false, limit: 10) == [])
            #expect(
                try await store.sessions(includeEnded: true, limit: 10).withoutNodes == [
                    SessionRecord(
                        id: "s1", user: "alice", connectedAt: at(0), identifiedAt: at(5), endedAt: at(9),
                        reason: .timeout, remoteAddress: "10.0.0.7", transport: "xhr_streaming")
                ])
        }
    }

    @Test(arguments: StoreKind.available)
    func missingRemoteAddressIsStoredAsNil(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([start("s1", at: 0, transport: "raw-websocket", remoteAddress: nil)])
            let record = try #require(try await store.sessions(includeEnded: false, limit: 1).first)
            #expect(record.remoteAddress == nil)
            #expect(record.user == nil && record.identifiedAt == nil && record.isOpen)
        }
    }

    @Test(arguments: StoreKind.available)
    func identifyingAgainRecordsTheNewName(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([
                start("s1", at: 0), .sessionIdentified("s1", user: "alice", at: at(1)),
                .sessionIdentified("s1", user: "bob", at: at(2)),
            ])
            let record = try #require(try await store.sessions(includeEnded: false, limit: 1).first)
            #expect(record.user == "bob")
            #expect(record.identifiedAt == at(2))
        }
    }

    @Test(arguments: StoreKind.available)
    func sessionEndedTouchesOnlyTheOpenRowOfARepeatedId(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([
                start("s1", at: 0), .sessionIdentified("s1", user: "alice", at: at(1)),
                .sessionEnded("s1", reason: .quit, at: at(2)),
            ])
            _ = try await store.apply([start("s1", at: 10), .sessionIdentified("s1", user: "bob", at: at(11))])
            _ = try await store.apply([.sessionEnded("s1", reason: .closed, at: at(12))])

            let rows = try await store.sessions(includeEnded: true, limit: 10)
            #expect(rows.map(\.user) == ["bob", "alice"])
            #expect(rows.map(\.reason) == [.closed, .quit])
            #expect(rows.map(\.endedAt) == [at(12), at(2)])
        }
    }

    @Test(arguments: StoreKind.available)
    func endingTwiceKeepsTheFirstEnd(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([start("s1", at: 0), .sessionEnded("s1", reason: .quit, at: at(1))])
            _ = try await store.apply([.sessionEnded("s1", reason: .closed, at: at(2))])
            let rows = try await store.sessions(includeEnded: true, limit: 10)
            #expect(rows.map(\.reason) == [.quit])
            #expect(rows.map(\.endedAt) == [at(1)])
        }
    }

    @Test(arguments: StoreKind.available)
    func writesForUnknownSessionsAreNoOps(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await store.apply([
                .sessionIdentified("ghost", user: "alice", at: at(0)),
                .sessionEnded("ghost", reason: .closed, at: at(1)),
                message("still stored"),
            ])
            #expect(stored.map(\.text) == ["still stored"])
            #expect(try await store.sessions(includeEnded: true, limit: 10) == [])
        }
    }

    @Test(arguments: StoreKind.available)
    func restartingAnOpenIdClosesTheStaleRow(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([start("s1", at: 0), .sessionIdentified("s1", user: "alice", at: at(1))])
            _ = try await store.apply([start("s1", at: 7)])
            let rows = try await store.sessions(includeEnded: true, limit: 10)
            #expect(rows.map(\.connectedAt) == [at(7), at(0)])
            #expect(rows.map(\.reason) == [nil, .closed])
            #expect(rows.map(\.endedAt) == [nil, at(7)])
            #expect(try await store.sessions(includeEnded: false, limit: 10).count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func closeOpenSessionsClosesOnlyOpenRowsWithTheReason(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([
                start("a", at: 0), start("b", at: 1), start("c", at: 2),
                .sessionEnded("b", reason: .quit, at: at(3)),
            ])
            #expect(try await store.closeOpenSessions(reason: .restart, at: at(100)) == 2)
            let rows = try await store.sessions(includeEnded: true, limit: 10)
            #expect(rows.map(\.id) == ["c", "b", "a"])
            #expect(rows.map(\.reason) == [.restart, .quit, .restart])
            #expect(rows.map(\.endedAt) == [at(100), at(3), at(100)])
            #expect(try await store.closeOpenSessions(reason: .restart, at: at(200)) == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func closedIdsCanStartAgain(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([start("a", at: 0)])
            _ = try await store.closeOpenSessions(reason: .restart, at: at(1))
            _ = try await store.apply([start("a", at: 2)])
            #expect(try await store.sessions(includeEnded: false, limit: 10).map(\.connectedAt) == [at(2)])
        }
    }

    @Test(arguments: StoreKind.available)
    func sessionListingIsNewestFirstAndLimited(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([
                start("old", at: 0), start("mid", at: 5), start("new", at: 9),
                .sessionEnded("mid", reason: .slow, at: at(6)),
                start("latest-ended", at: 12), .sessionEnded("latest-ended", reason: .kicked, at: at(13)),
            ])
            #expect(try await store.sessions(includeEnded: false, limit: 10).map(\.id) == ["new", "old"])
            #expect(try await store.sessions(includeEnded: false, limit: 1).map(\.id) == ["new"])
            #expect(
                try await store.sessions(includeEnded: true, limit: 10).map(\.id) == [
                    "latest-ended", "new", "mid", "old",
                ])
            #expect(try await store.sessions(includeEnded: true, limit: 2).map(\.id) == ["latest-ended", "new"])
            #expect(try await store.sessions(includeEnded: true, limit: 0) == [])
        }
    }

    @Test(arguments: StoreKind.available)
    func sessionsConnectedAtTheSameTimeListLaterStartFirst(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([start("first", at: 0), start("second", at: 0)])
            _ = try await store.apply([start("third", at: 0)])
            #expect(try await store.sessions(includeEnded: false, limit: 10).map(\.id) == ["third", "second", "first"])
        }
    }

    @Test(arguments: StoreKind.available, LeaveReason.endReasons)
    func everyEndReasonIsRecorded(kind: StoreKind, reason: LeaveReason) async throws {
        // Guards the schema's CHECK: a new LeaveReason needs a migration before it can be stored.
        try await kind.withStore { store in
            _ = try await store.apply([start("s1", at: 0), .sessionEnded("s1", reason: reason, at: at(1))])
            #expect(try await store.sessions(includeEnded: true, limit: 1).map(\.reason) == [reason])
        }
    }

    // MARK: Invalid writes

    @Test(arguments: StoreKind.available)
    func renamedIsNotAnEndAndFailsTheWholeBatch(kind: StoreKind) async throws {
        try await kind.withStore { store async throws in
            await #expect {
                try await store.apply([
                    message("not stored"), start("s1", at: 0), .sessionEnded("s1", reason: .renamed, at: at(1)),
                ])
            } throws: { error in
                (error as? StoreError)?.kind == .invalidWrite("'renamed' is not a reason for a session to end")
            }
            #expect(try await store.recentMessages(limit: 10) == [])
            #expect(try await store.sessions(includeEnded: true, limit: 10) == [])
            // The store is fine afterwards.
            #expect(try await store.apply([message("next")]).map(\.text) == ["next"])
        }
    }

    @Test(arguments: StoreKind.available)
    func closeOpenSessionsRejectsRenamed(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.apply([start("s1", at: 0)])
            await #expect(throws: StoreError.self) { try await store.closeOpenSessions(reason: .renamed, at: at(1)) }
            #expect(try await store.sessions(includeEnded: false, limit: 10).count == 1)
        }
    }
}
