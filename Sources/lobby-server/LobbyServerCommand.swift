import ArgumentParser
import LobbyCore
import LobbyServer
import Logging

@main
struct LobbyServerCommand: AsyncParsableCommand {
    // Computed: the discussion carries `serve`'s own help, so `lobby-server --help` shows the
    // options of the command that runs by default (issue 26: they were hidden behind
    // `lobby-server help serve`).
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "lobby-server",
            abstract: "Lobby's chat server: STOMP over SockJS (WebSocket and raw WebSocket), Spring-compatible.",
            discussion: "Without a subcommand it serves; the options of `serve`:\n\n"
                + Serve.helpMessage(columns: 78).split(separator: "\n", omittingEmptySubsequences: false)
                .drop { !$0.hasPrefix("OPTIONS:") }.dropFirst().joined(separator: "\n"),
            version: LobbyVersion.current,
            subcommands: [Serve.self, Sessions.self, Kick.self, Names.self, Backup.self],
            defaultSubcommand: Serve.self
        )
    }
}
