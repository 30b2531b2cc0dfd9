/// A grid of character cells that views draw on.
///
/// Views never talk to curses: they draw on a `Canvas`, which is ``NCursesCanvas`` on a
/// terminal and ``GridCanvas`` in tests, so a test can compare the exact lines a user sees.
/// Columns and widths are terminal cells, measured with ``displayWidth(of:)-(Character)``.
public protocol Canvas: AnyObject {
    /// Width and height in cells.
    var size: (width: Int, height: Int) { get }
    /// Blanks every cell.
    func clear()
    /// Writes `text` from `column` on `row`, one grapheme cluster at a time.
    ///
    /// Clipped: it never writes past the right edge and never wraps to the next row. A
    /// double-width cluster that does not fit in the last cell is replaced by a space;
    /// zero-width clusters (controls) are never written. Rows and columns outside the canvas
    /// are ignored.
    func put(_ text: String, row: Int, column: Int, style: TextStyle)
    /// Where the terminal cursor rests after ``present()``, and whether it shows.
    func moveCursor(row: Int, column: Int, visible: Bool)
    /// Shows what was drawn since the last `present()`.
    func present()
}

/// One cluster placed by ``Canvas/put(_:row:column:style:)``: where it lands and what is drawn.
struct PlacedCluster: Equatable {
    var column: Int
    var width: Int
    /// The cluster, or a space when a double-width cluster is cut by an edge.
    var text: String
}

/// Places the clusters of `text` starting at `column` within `0..<width`, applying the
/// clipping rules every canvas shares.
func placeClusters(of text: String, column: Int, width: Int) -> [PlacedCluster] {
    var placed: [PlacedCluster] = []
    var next = column
    for character in text {
        guard next < width else { break }
        let clusterWidth = displayWidth(of: character)
        guard clusterWidth > 0 else { continue }
        defer { next += clusterWidth }
        let end = next + clusterWidth
        if end <= 0 { continue }
        if next < 0 || end > width {
            // Half of a double-width cluster would be outside: show a blank in the half inside.
            placed.append(PlacedCluster(column: max(next, 0), width: 1, text: " "))
            continue
        }
        placed.append(PlacedCluster(column: next, width: clusterWidth, text: String(character)))
    }
    return placed
}
