import Foundation
import LobbyClient

/// `/set` for both clients: reads the configuration file for `/set` and `/set KEY`, and for
/// `/set KEY VALUE` rewrites it (``ConfigFile/Change``: checked by the file's own parser, the
/// other lines kept) atomically with its mode kept. What the running client does with the new
/// settings is up to it; this says in the reply line when a change waits for the next start.
struct SetCommand {
    /// The configuration file (``ConfigPath/standard()``); nil without `$HOME`.
    var path: String?

    struct Outcome {
        /// What to show, without a prefix.
        var lines: [String]
        var isError = false
        /// The file's settings after a change that was saved; nil when nothing changed.
        var changed: ClientSettings?
    }

    /// When a saved change is used by the running client.
    enum Effect {
        case now
        case nextStart
        /// This client does not use the setting (`--plain` has no bell, colors or filter).
        case otherClient
    }

    func run(key: String?, value: String?, effect: (String) -> Effect) -> Outcome {
        guard let path else { return Outcome(lines: ["/set: no configuration file without $HOME"], isError: true) }
        let text: String
        let file: ConfigFile
        do {
            text = try Self.read(path)
            file = try ConfigFile(parsing: text)
            _ = try ClientSettings(file)
        } catch {
            return Outcome(lines: ["/set: \(path): \(error) (fix the file first)"], isError: true)
        }
        guard let key else {
            return Outcome(lines: ["settings in \(path):"] + ClientSettings.keys.map { "  " + Self.show($0, in: file) })
        }
        guard ClientSettings.keys.contains(key) else {
            let known = ClientSettings.keys.joined(separator: ", ")
            return Outcome(lines: ["/set: unknown setting \(key) (known: \(known))"], isError: true)
        }
        guard let value else { return Outcome(lines: [Self.show(key, in: file)]) }
        do {
            let change = try ConfigFile.Change(key: key, typed: value)
            let newText = try change.applied(to: text)
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // A config.toml linked from a dotfiles folder stays a link: the file it names is rewritten.
            let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            try AtomicFile.save(newText, to: target, mode: AtomicFile.mode(of: target) ?? 0o644)
            let when =
                switch effect(key) {
                case .now: ""
                case .nextStart: "; takes effect at the next start"
                case .otherClient: "; used by the full-screen client"
                }
            return Outcome(
                lines: ["\(change.line) (saved to \(path)\(when))"],
                changed: try ClientSettings(ConfigFile(parsing: newText)))
        } catch let error as ConfigFile.ParseError {
            return Outcome(lines: ["/set \(key): \(error.message) (nothing changed)"], isError: true)
        } catch {
            return Outcome(lines: ["/set \(key): \(error) (nothing changed)"], isError: true)
        }
    }

    /// The file's text, "" when there is no file yet.
    private static func read(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "" }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// `key = value` as the file has it, or what applies without it.
    private static func show(_ key: String, in file: ConfigFile) -> String {
        if let value = file[key], let text = try? value.toml { return "\(key) = \(text)" }
        return "\(key) is not set (\(defaults[key] ?? "no default"))"
    }

    /// What each setting is when the file does not say (the options and `$LOBBY_SERVER`,
    /// `$LOBBY_NAME` still come first for server and name).
    private static let defaults = [
        "server": "default \(LobbyCommand.defaultServer)",
        "name": "default $USER",
        "bell": "default true",
        "colors": "default true",
        "filter": "default \"all\"",
        "timestamp": "default %H:%M",
        "log_dir": "no log files",
        "highlight": "only your name highlights",
    ]
}
