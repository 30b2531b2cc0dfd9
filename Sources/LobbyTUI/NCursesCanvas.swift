import CNCurses

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The terminal, through ncursesw: the only ``Canvas`` that touches the screen.
///
/// Call everything from one thread. Each cluster is placed at the column the layout measured
/// and sent in its terminal-safe form (``terminalSafeText(for:)``), so curses, the terminal
/// and the views agree on every cell's width. Keys are read without blocking: wait for stdin
/// with `poll()`, then call ``readKey()`` until it returns `nil`.
///
/// Input runs in raw mode, so Ctrl-C and Ctrl-D arrive as keys (and become `/quit` with a
/// proper goodbye) instead of signals that would skip it.
public final class NCursesCanvas: Canvas {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let hasColors: Bool
    private var cursor: (row: Int, column: Int, visible: Bool) = (0, 0, false)
    private var ended = false
    private var keyDecoder = PasteDecoder()
    private var metaDecoder = MetaKeyDecoder()
    private var decodedKeys: [Key] = []

    /// Bracketed paste: the terminal wraps pasted text in `ESC [200~` … `ESC [201~`, so a paste of
    /// several lines arrives as one ``Key/paste(_:)`` instead of several Enters.
    private static let bracketedPasteOn = "\u{1B}[?2004h"
    private static let bracketedPasteOff = "\u{1B}[?2004l"

    /// `colors: false` draws with attributes only (config `colors`).
    public init(colors: Bool = true) throws {
        setlocale(LC_ALL, "")
        // Under LANG=C (tmux and ssh often run so) curses would send non-ASCII as `?` sequences:
        // the client always speaks UTF-8 to the terminal, as every terminal in use today expects.
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        guard let screen = lobby_newterm() else {
            throw StartError(description: "cannot start the terminal (is TERM set?)")
        }
        set_term(screen)
        self.screen = screen
        window = lobby_stdscr()
        raw()
        noecho()
        nonl()
        keypad(window, true)
        nodelay(window, true)
        intrflush(window, false)
        // Escape sequences from a local terminal arrive together; do not stall a lone Esc.
        set_escdelay(25)
        Self.defineKeySequences()
        lobby_enable_wheel()
        Self.writeToTerminal(Self.bracketedPasteOn)
        hasColors = colors && has_colors()
        if hasColors {
            start_color()
            let background: Int16 = use_default_colors() == OK ? -1 : Int16(COLOR_BLACK)
            for color in TextStyle.Color.allCases {
                init_pair(Self.pair(for: color), Self.cursesColor(color), background)
            }
        }
    }

    deinit { end() }

    /// Restores the terminal (`endwin`). Safe to call more than once.
    public func end() {
        guard !ended else { return }
        ended = true
        Self.writeToTerminal(Self.bracketedPasteOff)
        endwin()
        delscreen(screen)
    }

    public var size: (width: Int, height: Int) {
        (Int(lobby_max_x(window)), Int(lobby_max_y(window)))
    }

    /// Reads the size from the kernel and resizes curses: for loops that catch SIGWINCH
    /// themselves (curses only reports `KEY_RESIZE` when its own handler runs).
    public func updateSizeFromTerminal() {
        var rows: Int32 = 0
        var columns: Int32 = 0
        guard lobby_terminal_size(STDOUT_FILENO, &rows, &columns) == 0, rows > 0, columns > 0 else { return }
        resize_term(rows, columns)
        // After a shrink the terminal (tmux among them) keeps some old rows, so curses' idea of
        // the screen is stale: repaint everything on the next present.
        forceFullRepaint()
    }

    public func clear() {
        werase(window)
    }

    public func put(_ text: String, row: Int, column: Int, style: TextStyle) {
        let (width, height) = size
        guard row >= 0, row < height else { return }
        var attributes = lobby_attr_normal()
        if style.isBold { attributes |= lobby_attr_bold() }
        if style.isDim { attributes |= lobby_attr_dim() }
        if style.isReverse { attributes |= lobby_attr_reverse() }
        let pair = hasColors ? style.foreground.map(Self.pair(for:)) ?? 0 : 0
        wattr_set(window, attributes, pair, nil)
        for placed in placeClusters(of: text, column: column, width: width) {
            let drawn = placed.text == " " ? " " : terminalSafeText(for: Character(placed.text))
            var characters = drawn.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
            let count = Int32(characters.count)
            characters.append(0)
            // The bottom-right cell reports ERR (the cursor cannot advance) but is drawn.
            _ = mvwaddnwstr(window, Int32(row), Int32(placed.column), characters, count)
        }
        wattr_set(window, lobby_attr_normal(), 0, nil)
    }

    public func moveCursor(row: Int, column: Int, visible: Bool) {
        cursor = (row, column, visible)
    }

    public func present() {
        curs_set(cursor.visible ? 1 : 0)
        wmove(window, Int32(cursor.row), Int32(cursor.column))
        wrefresh(window)
    }

    /// Rings the terminal bell (a flash where the terminal has no bell).
    public func bell() {
        beep()
    }

    /// Makes the next ``present()`` repaint every cell, for Ctrl-L after another program
    /// scribbled on the terminal.
    public func forceFullRepaint() {
        lobby_force_repaint()
    }

    /// The next key press, or `nil` when none is waiting. Keys curses knows but the client
    /// does not use are skipped.
    public func readKey() -> Key? {
        while decodedKeys.isEmpty {
            var character: wint_t = 0
            let result = wget_wch(window, &character)
            if result == ERR { return nil }
            let key = result == KEY_CODE_YES ? Self.functionKey(Int32(character)) : Self.key(for: UInt32(character))
            if let key {
                for pasteDecoded in keyDecoder.feed(key) { decodedKeys += metaDecoder.feed(pasteDecoded) }
            }
        }
        return decodedKeys.removeFirst()
    }

    /// Home and End as the terminals that differ from their terminfo entry send them: tmux and
    /// screen send `ESC [1~`/`ESC [4~` whatever `TERM` says inside them (with TERM=xterm-256color
    /// terminfo says `ESC OH`), rxvt `ESC [7~`/`ESC [8~`, xterm in normal cursor mode `ESC [H`/
    /// `ESC [F`. Curses matches these besides what terminfo lists (`keypad`).
    private static func defineKeySequences() {
        let sequences: [(String, Int32)] = [
            ("\u{1B}[1~", KEY_HOME), ("\u{1B}[7~", KEY_HOME), ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME),
            ("\u{1B}[4~", KEY_END), ("\u{1B}[8~", KEY_END), ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END),
            ("\u{1B}[3~", KEY_DC), ("\u{1B}[5~", KEY_PPAGE), ("\u{1B}[6~", KEY_NPAGE),
        ]
        for (sequence, code) in sequences {
            _ = define_key(sequence, code)
        }
    }

    private static func writeToTerminal(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    private static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case KEY_BACKSPACE: .backspace
        case KEY_DC: .delete
        case KEY_ENTER: .enter
        case KEY_RESIZE: .resize
        case KEY_MOUSE:
            switch lobby_read_wheel() {
            case 1: .wheelUp
            case -1: .wheelDown
            default: nil
            }
        default: nil
        }
    }

    private static func key(for value: UInt32) -> Key? {
        switch value {
        case 0x0D, 0x0A: return .enter
        case 0x7F, 0x08: return .backspace
        case 0x09: return .tab
        case 0x1B: return .escape
        case 0x01...0x1A: return .control(Character(Unicode.Scalar(UInt8(0x60 + value))))
        case 0x00...0x1F, 0x80...0x9F: return nil
        default: return Unicode.Scalar(value).map { .character(Character($0)) }
        }
    }

    private static func pair(for color: TextStyle.Color) -> Int16 {
        Int16(color.rawValue + 1)
    }

    private static func cursesColor(_ color: TextStyle.Color) -> Int16 {
        switch color {
        case .red: Int16(COLOR_RED)
        case .green: Int16(COLOR_GREEN)
        case .yellow: Int16(COLOR_YELLOW)
        case .blue: Int16(COLOR_BLUE)
        case .magenta: Int16(COLOR_MAGENTA)
        case .cyan: Int16(COLOR_CYAN)
        }
    }
}
