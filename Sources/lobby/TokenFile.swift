import LobbyClient

/// Where the terminal client keeps its name claims' secrets: the state file `tokens`
/// (`$XDG_STATE_HOME/lobby/tokens`), parsed strictly by ``NameTokens``.
struct TokenFile: Sendable {
    let file: StateFile

    /// The standard place, or nil without `$XDG_STATE_HOME` and `$HOME`.
    static func standard() -> TokenFile? {
        StateFile.standard(named: "tokens").map(TokenFile.init(file:))
    }

    func load() -> NameTokens {
        NameTokens(text: file.read())
    }

    /// Adds a secret and rewrites the file. Failing to save is reported, not fatal: the claim
    /// holds for this run, and the user is told the name will be refused next time.
    func save(_ token: String, server: String, name: String) throws {
        var tokens = load()
        try tokens.set(token, server: server, name: name)
        try file.save(tokens.text)
    }
}
