import SockJS
import TestSupport
import Testing

@Suite("Info response and pages")
struct InfoAndPagesTests {
    @Test("default info JSON")
    func defaultInfo() {
        #expect(
            InfoResponse(entropy: 42).json
                == #"{"entropy":42,"origins":["*:*"],"cookie_needed":false,"websocket":true}"#
        )
    }

    @Test("configured info JSON")
    func configuredInfo() {
        var info = InfoResponse(websocket: false, cookieNeeded: true, entropy: .max)
        #expect(info.json == #"{"entropy":4294967295,"origins":["*:*"],"cookie_needed":true,"websocket":false}"#)
        info.origins = ["https://a.example:443", "\"q\""]
        #expect(info.json.contains(#""origins":["https://a.example:443","\"q\""]"#))
    }

    @Test("the info JSON's origins decode as a string array")
    func originsDecode() throws {
        let info = InfoResponse(origins: ["*:*", "x\u{2028}"], entropy: 0)
        let json = info.json
        let start = json.firstIndex(of: "[")!
        let end = json.firstIndex(of: "]")!
        #expect(try SockJSJSON.decodeMessages(Array(json[start...end].utf8)) == ["*:*", "x\u{2028}"])
    }

    @Test("random entropy comes from the generator")
    func randomEntropy() {
        var first = SplitMix64(seed: 9)
        var second = SplitMix64(seed: 9)
        let a = InfoResponse(using: &first)
        let b = InfoResponse(using: &second)
        let c = InfoResponse(using: &second)
        #expect(a == b)
        #expect(b.entropy != c.entropy)
        #expect(a.websocket && !a.cookieNeeded && a.origins == ["*:*"])
    }

    @Test("greeting")
    func greeting() {
        #expect(SockJSPages.greeting == "Welcome to SockJS!\n")
    }

    @Test("iframe page is the reference page with the script URL escaped into it")
    func iframePage() {
        let page = SockJSPages.iframe(clientLibraryURL: "/js/sockjs.min.js?v=1&x=\"y\"")
        let reference = """
            <!DOCTYPE html>
            <html>
            <head>
              <meta http-equiv="X-UA-Compatible" content="IE=edge" />
              <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
              <script src="/js/sockjs.min.js?v=1&amp;x=&quot;y&quot;"></script>
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
        #expect(page == reference)
        #expect(SockJSPages.iframe().contains(SockJSPages.defaultClientLibraryURL))
    }
}
