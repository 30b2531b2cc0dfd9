import TextWidth

/// A fixed-width text table for the operator's commands (`sessions`, `names`): columns two
/// spaces apart, padded by the cells text takes in a terminal, so Korean names and emoji
/// (two cells each) do not push the columns after them out of line.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let table = [header] + rows
        let widths = header.indices.map { column in
            table.map { displayWidth(of: $0[column]) }.max() ?? 0
        }
        return table.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                if column > 0 { line += "  " }
                line += cell
                if column < row.count - 1 {
                    line += String(repeating: " ", count: max(0, widths[column] - displayWidth(of: cell)))
                }
            }
            return line
        }.joined(separator: "\n")
    }
}
