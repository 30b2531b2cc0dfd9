import ArgumentParser
import LobbyCore
import LobbyServer
import Logging

@main
struct LobbyServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lobby-server",
        abstract: "Lobby's chat server: STOMP over SockJS (WebSocket and raw WebSocket), Spring-compatible.",
        version: LobbyVersion.current,
        subcommands: [Serve.self, Sessions.self, Kick.self, Names.self, Backup.self],
        defaultSubcommand: Serve.self
    )
}
