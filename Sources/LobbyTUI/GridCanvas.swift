/// An in-memory ``Canvas`` for tests: a grid of cells that renders as lines of text.
///
/// A double-width cluster occupies two cells: the first holds the cluster, the second a
/// placeholder that renders as nothing, so a rendered line printed in a terminal lines up
/// with the screen it stands for.
///
/// ```swift
/// let canvas = GridCanvas(width: 6, height: 1)
/// canvas.put("한a", row: 0, column: 0, style: .plain)
/// canvas.lines       // ["한a   "]
/// ```
public final class GridCanvas: Canvas {
    /// One cell: a cluster, a blank, or the right half of the cluster to its left.
    public enum Cell: Equatable, Sendable {
        case cluster(String)
        case continuation
    }

    public private(set) var width: Int
    public private(set) var height: Int
    private var cells: [[Cell]]
    private var styles: [[TextStyle]]
    public private(set) var cursor: (row: Int, column: Int, visible: Bool) = (0, 0, false)
    /// How many times ``present()`` was called.
    public private(set) var presentCount = 0

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        cells = []
        styles = []
        clear()
    }

    public var size: (width: Int, height: Int) { (width, height) }

    /// Changes the size and blanks everything, as a terminal resize followed by a redraw does.
    public func resize(width: Int, height: Int) {
        self.width = width
        self.height = height
        clear()
    }

    public func clear() {
        cells = Array(repeating: Array(repeating: .cluster(" "), count: max(width, 0)), count: max(height, 0))
        styles = Array(repeating: Array(repeating: .plain, count: max(width, 0)), count: max(height, 0))
    }

    public func put(_ text: String, row: Int, column: Int, style: TextStyle) {
        guard row >= 0, row < height else { return }
        for placed in placeClusters(of: text, column: column, width: width) {
            for offset in 0..<placed.width {
                breakWideCluster(row: row, column: placed.column + offset)
            }
            cells[row][placed.column] = .cluster(placed.text)
            styles[row][placed.column] = style
            if placed.width == 2 {
                cells[row][placed.column + 1] = .continuation
                styles[row][placed.column + 1] = style
            }
        }
    }

    /// Overwriting either half of a double-width cluster blanks the other half, as terminals do.
    private func breakWideCluster(row: Int, column: Int) {
        switch cells[row][column] {
        case .continuation:
            if column > 0 { cells[row][column - 1] = .cluster(" ") }
        case .cluster:
            if column + 1 < width, cells[row][column + 1] == .continuation {
                cells[row][column + 1] = .cluster(" ")
            }
        }
        cells[row][column] = .cluster(" ")
    }

    public func moveCursor(row: Int, column: Int, visible: Bool) {
        cursor = (row, column, visible)
    }

    public func present() {
        presentCount += 1
    }

    /// Every row as text: each exactly `width` cells wide.
    public var lines: [String] {
        cells.map { row in
            row.reduce(into: "") { line, cell in
                if case .cluster(let text) = cell { line += text }
            }
        }
    }

    public func cell(row: Int, column: Int) -> Cell {
        cells[row][column]
    }

    public func style(row: Int, column: Int) -> TextStyle {
        styles[row][column]
    }
}
