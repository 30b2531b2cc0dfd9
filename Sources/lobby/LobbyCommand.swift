import ArgumentParser
import Foundation
import LobbyClient
import LobbyCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `lobby`: the terminal chat client.
@main
struct LobbyCommand: ParsableCommand {
    /// Where the client connects when neither `--server`, `$LOBBY_SERVER` nor config.toml says.
    static let defaultServer = "http://127.0.0.1:8080/connection"

    static let configuration = CommandConfiguration(
        commandName: "lobby",
        abstract: "Chat in a Lobby from the terminal.",
        discussion: """
            Type a line and press Enter to send it. /help lists the commands; /quit, Ctrl-C or \
            Ctrl-D on an empty line leave the lobby.

            Settings are read from $XDG_CONFIG_HOME/lobby/config.toml (default \
            ~/.config/lobby/config.toml): server, name, bell, colors, filter, timestamp, log_dir. \
            $LOBBY_SERVER and $LOBBY_NAME override the file; options override both.
            """,
        version: LobbyVersion.current)

    @Option(
        name: .customLong("server"),
        help: ArgumentHelp(
            "The server: host:port, or its URL (http://, https:// for TLS, ws://, wss://).",
            discussion: "A URL without a path gets /connection. Default: \(LobbyCommand.defaultServer)."))
    var serverOption: String?

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "PEM certificates of a private CA to trust for an https:// server.",
            discussion: "Trusted besides the system's trust store, which is always used.",
            valueName: "pem"))
    var caFile: String?

    @Option(name: .customLong("name"), help: "Your display name (default: $USER).")
    var nameOption: String?

    @Flag(help: "No full-screen interface: print one line per event, send each line read from stdin.")
    var plain = false

    @Flag(
        name: .customLong("show-token"),
        help: ArgumentHelp(
            "Print the token of the name's claim on the server, and exit.",
            discussion: "Paste it into the browser's name form to be the same person there."))
    var showToken = false

    /// Errors here are not usage mistakes (the server or name may come from the file or the
    /// environment), so they are said without the usage text: `StartError`, not `ValidationError`.
    func validate() throws {
        _ = try settings()
        _ = try endpoint()
        if caFile != nil, !usesTLS {
            throw StartError("--ca-file is for https:// servers; --server \(server) is plain")
        }
        do {
            _ = try UserName(validating: displayName)
        } catch {
            throw StartError("--name: \(error)")
        }
    }

    /// The configuration file's settings, or an error naming the file and the line.
    func settings() throws -> ClientSettings {
        guard let path = ConfigPath.standard(), let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return ClientSettings()
        }
        do {
            return try ClientSettings(ConfigFile(parsing: text))
        } catch {
            throw StartError("\(path): \(error)")
        }
    }

    /// The SockJS endpoint URL of ``server``.
    func endpoint() throws(StartError) -> String {
        do {
            return try ServerAddress.endpoint(for: server)
        } catch {
            throw StartError("--server: \(error)")
        }
    }

    /// `--server`, else `$LOBBY_SERVER`, else the file's `server`, else the local default.
    var server: String {
        serverOption ?? environment("LOBBY_SERVER") ?? (try? settings())?.server
            ?? Self.defaultServer
    }

    /// `--name`, else `$LOBBY_NAME`, else the file's `name`, else `$USER`, else `guest`.
    var displayName: String {
        if let name = nameOption ?? environment("LOBBY_NAME") ?? (try? settings())?.name { return name }
        if let user = getenv("USER").map({ String(cString: $0) }), !user.isEmpty { return user }
        return "guest"
    }

    /// `https://` or `wss://`: the connection verifies the server's certificate.
    var usesTLS: Bool {
        let lowered = ((try? endpoint()) ?? server).lowercased()
        return lowered.hasPrefix("https://") || lowered.hasPrefix("wss://")
    }

    func run() throws {
        // Loaded once, before the screen takes over, so a bad --ca-file is a plain error message.
        let tls: ClientTLS?
        do {
            tls = usesTLS ? try ClientTLS(caFile: caFile) : nil
        } catch {
            throw StartError(error.description)
        }
        let server = try endpoint()
        if showToken { return try printToken(server: server) }
        var configuration = LobbyConnection.Configuration(serverURL: server, displayName: displayName, tls: tls)
        // The name as the server compares it (trimmed): the key of its secret in the token file.
        let name = (try? UserName(validating: displayName).rawValue) ?? displayName
        if let tokenFile = TokenFile.standard() {
            configuration.nameToken = tokenFile.load().token(server: server, name: name)
            configuration.savedNameToken = { [server] name in tokenFile.load().token(server: server, name: name) }
            configuration.nameTokenIssued = { [server, plain] token, name in
                do {
                    try tokenFile.save(token, server: server, name: name)
                } catch {
                    // The full-screen interface owns the terminal; only plain mode can say it.
                    if plain {
                        let line = Array("*** the name's token was not saved: \(error)\n".utf8)
                        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
                    }
                }
            }
        }
        let settings = try settings()
        if plain {
            let status = try PlainClient(configuration: configuration, ignoreFile: StateFile.standard(named: "ignored"))
                .run()
            if status != 0 { throw ExitCode(status) }
        } else {
            try TerminalClient(
                configuration: configuration, settings: settings, ignoreFile: StateFile.standard(named: "ignored")
            ).run()
        }
    }
}

extension LobbyCommand {
    /// `--show-token`: the secret this client keeps for the name on the server, alone on a line.
    func printToken(server: String) throws {
        let name = (try? UserName(validating: displayName).rawValue) ?? displayName
        guard let token = TokenFile.standard()?.load().token(server: server, name: name) else {
            throw StartError(
                "no token for \(name) on \(server): this client has not claimed the name there yet "
                    + "(connect once with lobby --name \(name))")
        }
        print(token)
    }
}

/// Why the client cannot start, said as `Error: …` without the usage text (ArgumentParser adds
/// usage only to `ValidationError`s).
struct StartError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// An environment variable's value, nil when unset or empty.
func environment(_ name: String) -> String? {
    guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { return nil }
    return value
}

/// How long quitting may take before the client exits anyway: lines still queued get up to 8 s
/// to go out at the server's chat rate (`ConnectionLoop.queueDrainLimit`), then the goodbye waits
/// at most 2 s for the server's receipt; this only guards against a stuck network thread.
let quitGracePeriod: UInt64 = 11_000

/// Leaves at once, sending nothing: the terminal is gone (SIGHUP), so the server must see the
/// connection close without a goodbye (`closed`). `_exit` skips atexit handlers and stdio
/// flushing, which could block on the dead terminal.
func exitOnHangUp() -> Never {
    _exit(128 + SIGHUP)
}
