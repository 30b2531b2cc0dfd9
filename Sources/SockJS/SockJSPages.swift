/// The fixed documents a SockJS endpoint serves besides frames.
public enum SockJSPages {
    /// The body of `GET {prefix}` and `GET {prefix}/`, served as `text/plain; charset=UTF-8`.
    public static let greeting = "Welcome to SockJS!\n"

    /// Where the iframe page loads sockjs-client from unless the server is configured otherwise.
    public static let defaultClientLibraryURL = "https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js"

    /// The page served for `{prefix}/iframe.html` (and `iframe-<version>.html`), as
    /// `text/html; charset=UTF-8`.
    ///
    /// The iframe-based transports load it from the server's origin; it loads sockjs-client and
    /// calls `SockJS.bootstrap_iframe()`. Serve it with a long `Cache-Control` and an `ETag`;
    /// answer `If-None-Match` with 304.
    public static func iframe(clientLibraryURL: String = defaultClientLibraryURL) -> String {
        // The reference page, byte for byte apart from the script URL: the SockJS protocol's
        // conformance tests compare it whole.
        """
        <!DOCTYPE html>
        <html>
        <head>
          <meta http-equiv="X-UA-Compatible" content="IE=edge" />
          <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
          <script src="\(htmlAttributeEscaped(clientLibraryURL))"></script>
          <script>
            document.domain = document.domain;
            SockJS.bootstrap_iframe();
          </script>
        </head>
        <body>
          <h2>Don't panic!</h2>
          <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
        </body>
        </html>
        """
    }

    private static func htmlAttributeEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }
}
