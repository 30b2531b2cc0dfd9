import Foundation

/// Where the client's configuration file is: `$XDG_CONFIG_HOME/lobby/config.toml`, default
/// `~/.config/lobby/config.toml`.
enum ConfigPath {
    static func standard() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return xdg + "/lobby/config.toml"
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/lobby/config.toml"
    }
}
