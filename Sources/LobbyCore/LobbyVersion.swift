/// The version of Lobby: the server's CONNECTED `server` header (`lobby/0.1.0`) and
/// `--version` of both programs. One definition, in the module both link.
public enum LobbyVersion {
    public static let current = "0.1.0"
}
