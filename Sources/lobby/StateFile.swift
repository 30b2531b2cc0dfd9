import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file the client keeps between runs in its state folder, `$XDG_STATE_HOME/lobby`, default
/// `~/.local/state/lobby` (the name tokens, the ignore list): readable by its owner only (0600,
/// in a 0700 folder), and rewritten whole through a temporary file renamed over it, so a crash
/// never leaves half a file.
struct StateFile: Sendable {
    let path: String

    /// The file in the folder the XDG base directory rules give, or nil without
    /// `$XDG_STATE_HOME` and `$HOME`.
    static func standard(named name: String) -> StateFile? {
        let environment = ProcessInfo.processInfo.environment
        let stateHome: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            stateHome = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            stateHome = home + "/.local/state"
        } else {
            return nil
        }
        return StateFile(path: stateHome + "/lobby/" + name)
    }

    /// The contents, or "" when there is no file (yet).
    func read() -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    func save(_ text: String) throws(StateFileError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StateFileError(path: folder, errno: EACCES)
        }
        try AtomicFile.save(text, to: path, mode: 0o600)
    }
}

struct StateFileError: Error, CustomStringConvertible {
    let path: String
    let errno: Int32

    var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
}
