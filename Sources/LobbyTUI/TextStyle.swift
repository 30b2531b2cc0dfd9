/// How a run of text looks: attributes plus an optional foreground color.
///
/// Views say what a thing is (`.error`, `.status`, `.nick("alice")`); canvases decide how to
/// show it (the ncurses canvas maps colors to color pairs and drops them on monochrome terminals).
public struct TextStyle: Sendable, Equatable, Hashable {
    /// The eight-color palette every color terminal has, minus black and white (the usual
    /// background and foreground).
    public enum Color: Int, Sendable, CaseIterable {
        case red
        case green
        case yellow
        case blue
        case magenta
        case cyan
    }

    public var foreground: Color?
    public var isBold: Bool
    public var isDim: Bool
    public var isReverse: Bool

    public init(foreground: Color? = nil, isBold: Bool = false, isDim: Bool = false, isReverse: Bool = false) {
        self.foreground = foreground
        self.isBold = isBold
        self.isDim = isDim
        self.isReverse = isReverse
    }

    public static let plain = TextStyle()
    public static let bold = TextStyle(isBold: true)
    public static let dim = TextStyle(isDim: true)
    public static let reverse = TextStyle(isReverse: true)

    /// The status line and the "more below" mark.
    public static let status = TextStyle(isReverse: true)
    /// Server errors and protocol failures.
    public static let error = TextStyle(foreground: .red, isBold: true)
    /// Local notices: help, `/who`, hints, connection changes.
    public static let notice = TextStyle(foreground: .cyan)
    /// Joins.
    public static let join = TextStyle(foreground: .green)
    /// Leaves.
    public static let leave = TextStyle(foreground: .yellow)
    /// A message that names this client's user.
    public static let mention = TextStyle(foreground: .yellow, isBold: true, isReverse: true)
    /// The `*alice*` / `-> *bob*` prefix of a private message.
    public static let direct = TextStyle(foreground: .magenta, isBold: true)
    /// Away and back lines.
    public static let away = TextStyle(foreground: .cyan, isDim: true)
    /// Timestamps and day-change lines: present but quiet.
    public static let time = TextStyle(isDim: true)

    /// A nick's style: one of the palette's colors, the same for a name in every run, on every
    /// machine (FNV-1a of the UTF-8 name, not Swift's per-process randomized `Hasher`).
    public static func nick(_ name: String, isOwn: Bool = false, isAway: Bool = false) -> TextStyle {
        TextStyle(foreground: nickColor(for: name), isBold: isOwn, isDim: isAway)
    }

    public static func nickColor(for name: String) -> Color {
        var hash: UInt32 = 0x811C_9DC5
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return Color.allCases[Int(hash % UInt32(Color.allCases.count))]
    }
}
