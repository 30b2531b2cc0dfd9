/// Text from the network made safe for a terminal: line breaks (unless kept, as `\n`) and tabs
/// become spaces, and every cluster that takes no cell is dropped, so nothing that could move the
/// cursor or talk to the terminal survives: C0 and C1 controls (an `ESC]52;…` clipboard write or
/// an `ESC[6n` query arrives without its ESC, as inert text), DEL, and the bidi controls (U+202E,
/// U+2066…U+2069) that would reorder what follows them.
///
/// The one rule for everything the client prints that someone else chose: the full-screen
/// message area, `lobby --plain` and the `log_dir` files.
///
/// ```swift
/// printable("a\u{1B}[6nb")                             // "a[6nb"
/// printable("one\ntwo", keepingNewlines: true)         // "one\ntwo"
/// printable("one\u{2028}two", keepingNewlines: true)   // "one\ntwo"
/// ```
public func printable(_ text: String, keepingNewlines: Bool = false) -> String {
    var result = ""
    for character in text {
        if keepingNewlines, character.isNewline {
            result.append("\n")
        } else if character.isNewline || character == "\t" {
            result.append(" ")
        } else if displayWidth(of: character) > 0 {
            result.append(character)
        }
    }
    return result
}
