/// Where each region of the screen goes for a terminal size.
///
/// ```
/// row 0        status line (reverse)
/// rows 1…h-2   message area                │ member pane (16 cells, from width 50)
/// row h-1      > input line
/// ```
struct ScreenLayout: Equatable {
    static let minimumWidth = 20
    static let minimumHeight = 5
    /// The member pane, its border included.
    static let memberPaneWidth = 16
    /// Narrower terminals give the message area every column.
    static let memberPaneMinimumTerminalWidth = 50

    var width: Int
    var height: Int

    var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
    var showsMemberPane: Bool { width >= Self.memberPaneMinimumTerminalWidth }

    var statusRow: Int { 0 }
    var messageTop: Int { 1 }
    var messageHeight: Int { max(height - 2, 0) }
    var messageWidth: Int { showsMemberPane ? width - Self.memberPaneWidth : width }
    /// The column of the member pane's border.
    var memberPaneColumn: Int { width - Self.memberPaneWidth }
    var inputRow: Int { height - 1 }

    /// How far PgUp/PgDn move: a page less one row, so one row of context stays in view.
    var scrollPage: Int { max(messageHeight - 2, 1) }
}
