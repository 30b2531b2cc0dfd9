import Foundation
import LobbyClient

#if canImport(Glibc)
    import Glibc
#endif

/// Where the terminal client keeps its name claims' secrets: `$XDG_STATE_HOME/lobby/tokens`,
/// default `~/.local/state/lobby/tokens`, readable by its owner only (0600, in a 0700 folder).
struct TokenFile: Sendable {
    let path: String

    /// The path the XDG base directory rules give, or nil without `$XDG_STATE_HOME` and `$HOME`.
    static func standard() -> TokenFile? {
        let environment = ProcessInfo.processInfo.environment
        let stateHome: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            stateHome = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            stateHome = home + "/.local/state"
        } else {
            return nil
        }
        return TokenFile(path: stateHome + "/lobby/tokens")
    }

    func load() -> NameTokens {
        guard let data = FileManager.default.contents(atPath: path) else { return NameTokens(text: "") }
        return NameTokens(text: String(decoding: data, as: UTF8.self))
    }

    /// Adds a secret and rewrites the file (through a temporary file, renamed over it, so a
    /// crash never leaves half a file). Failing to save is reported, not fatal: the claim holds
    /// for this run, and the user is told the name will be refused next time.
    func save(_ token: String, server: String, name: String) throws {
        var tokens = load()
        try tokens.set(token, server: server, name: name)
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw TokenFileError(path: temporary, errno: errno) }
        let bytes = Array(tokens.text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let failure = written == bytes.count ? 0 : errno
        close(descriptor)
        guard failure == 0, rename(temporary, path) == 0 else {
            let error = TokenFileError(path: path, errno: failure != 0 ? failure : errno)
            unlink(temporary)
            throw error
        }
    }
}

struct TokenFileError: Error, CustomStringConvertible {
    let path: String
    let errno: Int32

    var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
}
