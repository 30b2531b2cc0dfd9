import LobbyClient
import LobbyCore
import LobbyTUI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The full-screen client: one thread drives curses and waits in `poll()` on the terminal, the
/// network's event inbox and the signal pipe.
struct TerminalClient {
    var configuration: LobbyConnection.Configuration
    var settings = ClientSettings()
    /// Where `/ignore` keeps its list (nil: for this run only).
    var ignoreFile: StateFile?
    /// The configuration file `/set` reads and rewrites.
    var configPath = ConfigPath.standard()

    func run() throws {
        let inbox = try EventInbox<ConnectionEvent>()
        let signals = try SignalPipe(catching: [SIGWINCH, SIGINT, SIGTERM, SIGHUP])
        let canvas = try NCursesCanvas(colors: settings.colors ?? true)
        // Whatever happens below, the terminal is given back as it was found.
        defer { canvas.end() }

        var state = ClientState(ownName: configuration.displayName, now: .now())
        state.use(settings)
        state.ignoreList = IgnoreList(text: ignoreFile?.read() ?? "")
        let log = settings.logDirectory.map { ChatLog(directory: $0, server: configuration.serverURL) }
        let connection = LobbyConnection(configuration: configuration) { inbox.post($0) }
        connection.start()

        var quitDeadline: UInt64?
        func quit() {
            guard quitDeadline == nil else { return }
            quitDeadline = monotonicMilliseconds() + quitGracePeriod
            connection.quit()
        }

        func perform(_ commands: [ClientCommand]) {
            for command in commands {
                switch command {
                case .sendChat(let text): connection.send(chat: text)
                case .sendDirect(let recipient, let text): connection.send(.direct(to: recipient, text: text))
                case .setAway(let message): connection.send(.away(message))
                case .requestHistory(let before, let limit): connection.send(.history(before: before, limit: limit))
                case .search(let query): connection.send(.search(query, limit: ChatLimits.defaultSearchPage))
                case .bell: canvas.bell()
                case .rename(let name): connection.rename(to: name)
                case .reconnect: connection.reconnect()
                case .saveIgnoreList(let list):
                    do {
                        try ignoreFile?.save(list.text)
                    } catch {
                        state.apply(.protocolError("the ignore list was not saved: \(error)"), now: .now())
                    }
                case .set(let key, let value):
                    let outcome = SetCommand(path: configPath).run(key: key, value: value) {
                        // The connection, the canvas and the log are made once, at start.
                        ["server", "name", "log_dir", "colors"].contains($0) ? .nextStart : .now
                    }
                    if let changed = outcome.changed { state.use(changed) }
                    state.noteSetting(outcome.lines, isError: outcome.isError, now: .now())
                case .quit: quit()
                case .redraw: canvas.forceFullRepaint()
                }
            }
        }

        var needsRender = true
        while true {
            if needsRender {
                let size = canvas.size
                state.resize(width: size.width, height: size.height)
                Screen.render(state, on: canvas, now: .now())
                needsRender = false
            }
            let timeout = quitDeadline.map { Int($0 - min($0, monotonicMilliseconds())) }
            if let timeout, timeout == 0 { return }
            let ready = Poller.wait(
                for: [signals.fileDescriptor, inbox.fileDescriptor, STDIN_FILENO], timeout: timeout)

            if ready[0].isReadable {
                for signal in signals.drain() {
                    switch signal {
                    case SIGHUP: exitOnHangUp()
                    case SIGWINCH: canvas.updateSizeFromTerminal()
                    default: quit()  // SIGINT, SIGTERM: leave with a goodbye
                    }
                    needsRender = true
                }
            }
            if ready[1].isReadable {
                for event in inbox.drain() {
                    log?.record(event)
                    guard let clientEvent = ClientEvent(event) else { return }  // stopped: done
                    perform(state.apply(clientEvent, now: .now()))
                    needsRender = true
                }
            }
            if ready[2].isHungUp {
                exitOnHangUp()  // the terminal closed before (or instead of) SIGHUP
            }
            if ready[2].isReadable {
                while let key = canvas.readKey() {
                    if key == .resize { canvas.updateSizeFromTerminal() }
                    perform(state.handle(key, now: .now()))
                    needsRender = true
                }
            }
        }
    }
}

extension ClientState {
    /// Uses the settings that apply to a running client: at start and after `/set` saved one.
    mutating func use(_ settings: ClientSettings) {
        bell = settings.bell ?? true
        timestampFormat = settings.timestamp
        highlightWords = settings.highlightWords
        if let filter = settings.filter.flatMap(JoinFilter.init(rawValue:)) { setJoinFilter(filter) }
    }
}
