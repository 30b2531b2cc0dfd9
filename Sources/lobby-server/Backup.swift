import ArgumentParser
import Foundation
import LobbyStore

/// `lobby-server backup PATH`: an online copy of the SQLite database.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite database to a new file while the server runs (SQLite's online backup).",
        discussion: "For PostgreSQL use pg_dump (docs/operations.md).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The file to write; it must not exist yet.")
    var path: String

    func validate() throws {
        guard case .sqlite(let database) = try StoreLocation(parsing: store.database) else {
            throw ValidationError("backup copies a SQLite database; for PostgreSQL use pg_dump (docs/operations.md)")
        }
        guard FileManager.default.fileExists(atPath: database) else {
            throw ValidationError("no database at \(database)")
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(path) exists; backup writes a new file only")
        }
    }

    func run() async throws {
        try SQLiteStore(path: store.database).backup(to: path)
        print("backed up \(store.database) to \(path)")
    }
}
