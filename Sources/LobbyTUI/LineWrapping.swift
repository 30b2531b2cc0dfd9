/// Breaks styled text into rows of at most `width` cells, at spaces when it can.
///
/// Continuation rows start with `indent` blank cells. A word that does not fit in the rest of
/// a row moves to the next one; a word longer than a whole row is cut at a cluster boundary
/// instead, so it does not leave a nearly empty row behind. The space a row breaks at is
/// dropped, so no row starts with it.
///
/// ```swift
/// wrap([StyledRun(text: "10:00 hello world", style: .plain)], width: 12, indent: 6)
/// // rows: "10:00 hello", "      world"
/// ```
func wrap(_ runs: [StyledRun], width: Int, indent requestedIndent: Int) -> [[StyledRun]] {
    guard width > 0 else { return [] }
    // An indent that leaves no room for text would make every row empty.
    let indent = width - requestedIndent >= 8 ? requestedIndent : 0
    let cells = runs.flatMap { run in
        run.text.map { Cell(character: $0, width: displayWidth(of: $0), style: run.style) }
    }.filter { $0.width > 0 }
    let blank = Cell(character: " ", width: 1, style: .plain)

    var rows: [[Cell]] = []
    var row: [Cell] = []
    var rowWidth = 0
    /// Where the row may break: the index just after the last space that follows text.
    var breakIndex: Int?
    var index = 0
    while index < cells.count {
        let cell = cells[index]
        if rowWidth + cell.width > width {
            var carried: [Cell] = []
            if cell.character == " " {
                rows.append(row)
                index += 1
            } else if let at = breakIndex,
                wordWidth(from: at, in: row, continuingAt: index, in: cells) <= width - indent
            {
                carried = Array(row[at...])
                rows.append(trimmingTrailingSpaces(Array(row[..<at])))
            } else {
                rows.append(row)
            }
            row = Array(repeating: blank, count: indent) + carried
            rowWidth = row.reduce(0) { $0 + $1.width }
            breakIndex = nil
            continue
        }
        row.append(cell)
        rowWidth += cell.width
        if cell.character == " ", row.count > indent + 1 { breakIndex = row.count }
        index += 1
    }
    if row.count > (rows.isEmpty ? 0 : indent) || rows.isEmpty { rows.append(row) }
    return rows.map(runs(of:))
}

/// The width of the word that starts at `start` in `row` and goes on in `cells` from `next`.
private func wordWidth(from start: Int, in row: [Cell], continuingAt next: Int, in cells: [Cell]) -> Int {
    let inRow = row[start...].reduce(0) { $0 + $1.width }
    let rest = cells[next...].prefix { $0.character != " " }.reduce(0) { $0 + $1.width }
    return inRow + rest
}

private struct Cell {
    var character: Character
    var width: Int
    var style: TextStyle
}

private func trimmingTrailingSpaces(_ cells: [Cell]) -> [Cell] {
    var cells = cells
    while cells.last?.character == " " { cells.removeLast() }
    return cells
}

/// Joins neighboring cells of one style back into runs.
private func runs(of cells: [Cell]) -> [StyledRun] {
    var runs: [StyledRun] = []
    for cell in cells {
        if let last = runs.last, last.style == cell.style {
            runs[runs.count - 1].text.append(cell.character)
        } else {
            runs.append(StyledRun(text: String(cell.character), style: cell.style))
        }
    }
    return runs
}
