// CTextWidth only for `wcwidth()`, which Glibc's Swift module hides behind _XOPEN_SOURCE.
import CTextWidth

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The number of terminal cells a grapheme cluster occupies: 0, 1 or 2.
///
/// Measured with the C library's `wcwidth()` under a UTF-8 locale, plus the rules terminals
/// and users expect for whole clusters, where `wcwidth()` alone (one scalar at a time) is wrong:
///
/// - controls (`\n`, `\t`, ESC, DEL, C1, line separators) are 0: they are never printed;
/// - a cluster is as wide as its base scalar, so combining marks and Hangul medial/final
///   jamo add nothing (`é` as e + U+0301 is 1, `한` in jamo form is 2);
/// - emoji presentation (VS16, U+FE0F), emoji ZWJ sequences and flags (two regional
///   indicators) are 2, however many scalars they hold.
///
/// ```swift
/// displayWidth(of: "a")          // 1
/// displayWidth(of: "한")         // 2
/// displayWidth(of: "👩‍👩‍👧")        // 2
/// displayWidth(of: "❤️")          // 2
/// ```
public func displayWidth(of character: Character) -> Int {
    let scalars = character.unicodeScalars
    guard let base = scalars.first else { return 0 }
    let baseWidth = scalarWidth(base)
    guard baseWidth > 0 else { return 0 }
    if scalars.count > 1 {
        let isEmojiSequence = scalars.contains { $0.value == 0xFE0F || $0.value == 0x200D }
        let isFlag = (0x1F1E6...0x1F1FF).contains(base.value)
        if isEmojiSequence || isFlag { return 2 }
    }
    return min(baseWidth, 2)
}

/// The number of cells a string occupies: the sum over its grapheme clusters.
public func displayWidth(of text: some StringProtocol) -> Int {
    text.reduce(0) { $0 + displayWidth(of: $1) }
}

/// What the ncurses canvas sends for a cluster: scalars whose `wcwidth()` sum is
/// exactly ``displayWidth(of:)-(Character)``, padded with spaces.
///
/// Terminals disagree about emoji sequences (tmux counts 👩‍👩‍👧 as 6 cells, kitty as 2) and
/// curses positions everything by `wcwidth()`, so a cluster the terminal might draw wider than
/// curses expects would push the rest of the row right and wrap it. Dropping what comes after a
/// ZWJ, emoji modifiers and variation selectors, and padding, keeps every terminal in step with
/// the layout at the cost of drawing a family emoji as its first member.
public func terminalSafeText(for character: Character) -> String {
    let width = displayWidth(of: character)
    guard width > 0 else { return "" }
    let scalars = Array(character.unicodeScalars)
    var text = String.UnicodeScalarView()
    var drawnWidth = libraryWidth(scalars[0])
    if drawnWidth > 0 {
        text.append(scalars[0])
        // Curses keeps at most four zero-width scalars with a spacing one (CCHARW_MAX is 5).
        for scalar in scalars.dropFirst().prefix(4) {
            guard libraryWidth(scalar) == 0, !isEmojiJoinerOrSelector(scalar) else { break }
            text.append(scalar)
        }
    } else {
        // Newer than the C library's tables: draw a replacement character instead.
        text.append("\u{FFFD}")
        drawnWidth = 1
    }
    let padding = String(repeating: " ", count: max(0, width - drawnWidth))
    return String(text) + padding
}

private func isEmojiJoinerOrSelector(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x200D, 0xFE00...0xFE0F, 0x1F3FB...0x1F3FF, 0xE0020...0xE007F: true
    default: false
    }
}

/// The width of one scalar as a cluster's base: `wcwidth()`, with unprintable scalars as 0 and
/// scalars the C library does not know yet (newer Unicode than its tables) guessed from Swift's
/// own Unicode properties.
private func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
    switch scalar.properties.generalCategory {
    case .control, .lineSeparator, .paragraphSeparator, .surrogate: return 0
    default: break
    }
    let measured = libraryWidth(scalar)
    if measured >= 0 { return measured }
    switch scalar.properties.generalCategory {
    case .format, .unassigned, .privateUse: return 0
    default: return scalar.properties.isEmojiPresentation ? 2 : 1
    }
}

/// `wcwidth()` in a UTF-8 locale, whatever locale the process runs in: tests and scripts often
/// run under `LANG=C`, where `wcwidth()` answers -1 for everything outside ASCII.
private func libraryWidth(_ scalar: Unicode.Scalar) -> Int {
    guard let locale = utf8Locale else { return Int(text_width_wcwidth(scalar.value)) }
    let previous = uselocale(locale)
    defer { uselocale(previous) }
    return Int(text_width_wcwidth(scalar.value))
}

/// Created once and never freed or changed, so sharing it between threads is safe.
nonisolated(unsafe) private let utf8Locale: locale_t? = {
    for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] {
        if let locale = newlocale(LC_CTYPE_MASK, name, nil) { return locale }
    }
    return nil
}()
