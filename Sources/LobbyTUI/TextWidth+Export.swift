// The display width of text lives in TextWidth (the server's tables measure names with it
// too, and it needs no curses); the client's views and tests use it as part of LobbyTUI.
@_exported import TextWidth
