import ArgumentParser
import Foundation
import LobbyCore
import LobbyStore

/// `lobby-server names`: the operator's view of name claims.
struct Names: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List claimed names, or release one so that anyone may claim it again.",
        subcommands: [List.self, Release.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List claimed names with when they were claimed and last used (lapsed ones too).")

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let claims = try await store.location.withExistingStore(applicationName: "lobby-server names") {
                try await $0.nameClaims()
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(claims), as: UTF8.self))
            } else {
                print(NameClaimTable.render(claims))
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a name's claim: the next identity with the name claims it anew.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The claimed name.")
        var name: String

        func run() async throws {
            let released = try await store.location.withExistingStore(applicationName: "lobby-server names") {
                [name] store in try await store.releaseNameClaim(name)
            }
            guard released else {
                throw ValidationError("no claim on the name \(name)")
            }
            print("released \(name)")
        }
    }
}

/// Fixed-width text table of name claims.
enum NameClaimTable {
    static func render(_ claims: [NameClaimRecord]) -> String {
        guard !claims.isEmpty else { return "no claimed names" }
        let header = ["NAME", "CLAIMED", "LAST USED"]
        let rows = claims.map { [$0.name, $0.claimedAt.iso8601, $0.lastUsed.iso8601] }
        return TextTable.render(header: header, rows: rows)
    }
}
