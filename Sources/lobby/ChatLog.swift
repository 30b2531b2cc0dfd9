import Foundation
import LobbyClient
import LobbyCore
import LobbyTUI

#if canImport(Glibc)
    import Glibc
#endif

/// irssi-style autolog (config `log_dir`): what happened, as `--plain` prints it with every line
/// timestamped (``LogTranscript``), appended to one file per server and day,
/// `LOG_DIR/127.0.0.1_8080/2026-12-03.log`.
///
/// Logging must never disturb the chat: a file that cannot be written is skipped silently
/// (the full-screen interface owns the terminal, so there is nowhere to say it).
final class ChatLog {
    private let folder: String
    private var transcript = LogTranscript(
        PlainTranscript.forTerminal(), clock: { TimeZoneRule.system.localTime(of: $0).clock })

    init(directory: String, server: String) {
        folder = Self.expandingHome(in: directory) + "/" + Self.folderName(for: server)
    }

    /// `~` and `~/…` with `$HOME`, as a shell does (Foundation's `expandingTildeInPath` takes
    /// the account's home from the password database instead).
    static func expandingHome(in path: String, home: String? = environment("HOME")) -> String {
        guard let home, path == "~" || path.hasPrefix("~/") else { return path }
        return home + path.dropFirst()
    }

    /// `http://127.0.0.1:8080/connection` → `127.0.0.1_8080`: the host and port, safe as a name.
    static func folderName(for server: String) -> String {
        var rest = Substring(server)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authority = rest.prefix { $0 != "/" }
        let name = authority.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return name.isEmpty ? "server" : String(name)
    }

    func record(_ event: ConnectionEvent) {
        let lines = transcript.lines(for: event)
        guard !lines.isEmpty else { return }
        let path = folder + "/" + TimeZoneRule.system.localTime(of: .now()).isoDate + ".log"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let text = lines.map { $0 + "\n" }.joined()
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
