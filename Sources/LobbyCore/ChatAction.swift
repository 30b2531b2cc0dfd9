/// `/me waves`: an action is a chat message whose text starts with `/me ` (what IRC clients
/// send and our clients type). The one rule for telling an action from a plain message, for the
/// server-agnostic clients (full-screen, `--plain`, search results).
public enum ChatAction {
    public static let prefix = "/me "

    /// What the user did (`/me waves` → `waves`), or nil for a plain message.
    public static func text(of message: String) -> String? {
        message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : nil
    }
}
