import LobbyClient
import LobbyCore
import LobbyTUI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--plain`: no curses. Prints one line per event on stdout and carries out each line of stdin
/// as the full-screen client would (chat text or a command: `/msg`, `/away`, `/who`, `/help`…);
/// `/quit` or the end of stdin leaves with a goodbye.
///
/// Lines read before the first welcome wait for it, so `echo hello | lobby --plain` connects,
/// says hello and leaves.
struct PlainClient {
    var configuration: LobbyConnection.Configuration
    /// Where `/ignore` keeps its list (nil: for this run only).
    var ignoreFile: StateFile?
    /// The configuration file `/set` reads and rewrites.
    var configPath = ConfigPath.standard()

    /// Runs until `/quit`, the end of stdin or a signal; returns the exit status (1: the server
    /// refused the name, so nothing could be said).
    func run() throws -> Int32 {
        let inbox = try EventInbox<ConnectionEvent>()
        let signals = try SignalPipe(catching: [SIGINT, SIGTERM, SIGHUP])
        var transcript = PlainTranscript.forTerminal()
        let connection = LobbyConnection(configuration: configuration) { inbox.post($0) }
        connection.start()

        var input = LineReader()
        var pendingLines: [String] = []
        var inputEnded = false
        var hasBeenWelcomed = false
        var quitDeadline: UInt64?
        var exitStatus: Int32 = 0
        func quit() {
            guard quitDeadline == nil else { return }
            quitDeadline = monotonicMilliseconds() + quitGracePeriod
            connection.quit()
        }
        // What /who answers from: the welcome's members and every change since.
        var room = PlainRoom(ownName: configuration.displayName)
        var ignoreList = IgnoreList(text: ignoreFile?.read() ?? "")
        func submit(_ lines: [String]) {
            for line in lines {
                switch Self.action(for: TypedLine(parsing: line), members: room.members, ownName: room.ownName) {
                case .send(let request):
                    connection.send(request)
                    if case .direct(let recipient, _) = request,
                        let notice = room.members.awayNotice(forDirectTo: recipient)
                    {
                        print("*** " + printable(notice))
                    }
                case .rename(let name): connection.rename(to: name)
                case .reconnect: connection.reconnect()
                case .changeIgnoreList(let line):
                    guard let (notice, changed) = ignoreList.run(line) else { break }
                    print("*** " + printable(notice))
                    if changed, let ignoreFile {
                        do {
                            try ignoreFile.save(ignoreList.text)
                        } catch {
                            print("*** the ignore list was not saved: \(error)")
                        }
                    }
                case .set(let key, let value):
                    let outcome = SetCommand(path: configPath).run(key: key, value: value) {
                        // --plain prints every line as it comes, in its own format, with no bell.
                        ["server", "name"].contains($0) ? .nextStart : .otherClient
                    }
                    for text in outcome.lines { print("*** " + printable(text)) }
                case .quit: return quit()
                case .say(let output): for text in output { print(text) }
                }
            }
            fflush(nil)
            if inputEnded { quit() }
        }

        while true {
            let timeout = quitDeadline.map { Int($0 - min($0, monotonicMilliseconds())) }
            if let timeout, timeout == 0 { return exitStatus }
            var descriptors = [signals.fileDescriptor, inbox.fileDescriptor]
            if !inputEnded { descriptors.append(STDIN_FILENO) }
            let ready = Poller.wait(for: descriptors, timeout: timeout)

            if ready[0].isReadable {
                for signal in signals.drain() {
                    if signal == SIGHUP { exitOnHangUp() }
                    quit()
                }
            }
            if ready[1].isReadable {
                for event in inbox.drain() {
                    let isHidden = Self.isHidden(event, by: ignoreList, ownName: room.ownName)
                    let transcribed = transcript.lines(for: event)
                    var lines: [String]
                    switch room.note(event, ignoring: ignoreList, now: .now()) {
                    case .before(let added): lines = added.map { printable($0) } + transcribed
                    case .instead(let replacement): lines = replacement.map { printable($0) }
                    }
                    if isHidden { lines = [] }
                    for line in lines {
                        print(line)
                    }
                    if case .session(.serverError(let error)) = event, error.code == ErrorCode.nameTaken,
                        !hasBeenWelcomed
                    {
                        // Nothing typed can be said under this name: leave, saying how to go on.
                        print("*** choose another name: lobby --plain --name ANOTHER")
                        let line = Array("lobby: \(printable(error.message))\n".utf8)
                        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
                        exitStatus = 1
                        quit()
                    }
                    fflush(nil)  // a script reads these lines through a pipe, as they come
                    if event == .stopped { return exitStatus }
                    if case .connected = event, !hasBeenWelcomed {
                        hasBeenWelcomed = true
                        submit(pendingLines)
                        pendingLines = []
                    }
                }
            }
            if ready.count > 2, ready[2].isReadable || ready[2].isHungUp {
                let lines = input.readAvailable(from: STDIN_FILENO)
                inputEnded = input.isAtEnd
                if hasBeenWelcomed {
                    submit(lines)
                } else if lines.contains(where: { TypedLine(parsing: $0) == .quit }) {
                    quit()  // no need to wait for a welcome to leave
                } else {
                    pendingLines += lines
                }
            }
        }
    }
}

/// Reads a descriptor's lines.
///
/// The descriptor stays blocking (on a terminal, stdin shares its flags with stdout, which must
/// not turn non-blocking), so each call reads once, after `poll()` said there is something.
struct LineReader {
    private var splitter = LineSplitter()
    /// Whether the input has ended (EOF or an error); a last line without `\n` has been returned.
    private(set) var isAtEnd = false

    /// Reads once and returns the lines completed so far.
    mutating func readAvailable(from descriptor: Int32) -> [String] {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = read(descriptor, &chunk, chunk.count)
        if count > 0 {
            return splitter.append(chunk[..<count])
        }
        guard count == 0 || errno != EINTR else { return [] }
        isAtEnd = true
        return splitter.finish()
    }
}
