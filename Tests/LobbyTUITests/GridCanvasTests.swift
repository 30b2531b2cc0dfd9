import LobbyTUI
import Testing

@Suite("Grid canvas")
struct GridCanvasTests {
    @Test("Text lands at its row and column; every line is exactly the width")
    func placesText() {
        let canvas = GridCanvas(width: 8, height: 2)
        canvas.put("abc", row: 1, column: 2, style: .bold)
        #expect(canvas.lines == ["        ", "  abc   "])
        #expect(canvas.style(row: 1, column: 2) == .bold)
        #expect(canvas.style(row: 1, column: 5) == .plain)
    }

    @Test("Text is clipped at the right edge and never wraps")
    func clipsAtRightEdge() {
        let canvas = GridCanvas(width: 5, height: 2)
        canvas.put("abcdefgh", row: 0, column: 2, style: .plain)
        #expect(canvas.lines == ["  abc", "     "])
    }

    @Test("A wide cluster takes two cells; one that does not fit becomes a space")
    func wideClusterAtEdge() {
        let canvas = GridCanvas(width: 5, height: 1)
        canvas.put("한국어", row: 0, column: 0, style: .plain)
        #expect(canvas.lines == ["한국 "])
        #expect(canvas.cell(row: 0, column: 0) == .cluster("한"))
        #expect(canvas.cell(row: 0, column: 1) == .continuation)
        #expect(canvas.cell(row: 0, column: 4) == .cluster(" "))
    }

    @Test("Overwriting half of a wide cluster blanks its other half")
    func overwritesHalfOfWideCluster() {
        let canvas = GridCanvas(width: 6, height: 1)
        canvas.put("한국어", row: 0, column: 0, style: .plain)
        canvas.put("x", row: 0, column: 1, style: .plain)
        canvas.put("y", row: 0, column: 2, style: .plain)
        #expect(canvas.lines == [" xy 어"])
    }

    @Test("Negative columns and rows outside the canvas are clipped")
    func clipsOutside() {
        let canvas = GridCanvas(width: 4, height: 1)
        canvas.put("abcdef", row: 0, column: -2, style: .plain)
        canvas.put("zzz", row: 1, column: 0, style: .plain)
        canvas.put("zzz", row: -1, column: 0, style: .plain)
        #expect(canvas.lines == ["cdef"])
        canvas.put("한x", row: 0, column: -1, style: .plain)
        #expect(canvas.lines == [" xef"])
    }

    @Test("Controls are never written")
    func skipsControls() {
        let canvas = GridCanvas(width: 6, height: 1)
        canvas.put("a\u{1B}[2Jb\nc", row: 0, column: 0, style: .plain)
        #expect(canvas.lines == ["a[2Jbc"])
    }

    @Test("Clear blanks everything; resize changes the size")
    func clearsAndResizes() {
        let canvas = GridCanvas(width: 3, height: 1)
        canvas.put("abc", row: 0, column: 0, style: .error)
        canvas.clear()
        #expect(canvas.lines == ["   "])
        #expect(canvas.style(row: 0, column: 0) == .plain)
        canvas.resize(width: 2, height: 2)
        #expect(canvas.size == (2, 2))
        #expect(canvas.lines == ["  ", "  "])
    }
}
