import Foundation
import SockJS

/// The browser client's files (the `Web` resource directory), Debian's sockjs-client, and the
/// SockJS iframe page, loaded once at start-up.
struct StaticFiles: Sendable {
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    struct IframePage: Sendable {
        let bytes: [UInt8]
        /// A strong validator of the page's bytes, for `If-None-Match`.
        let etag: String
    }

    /// By URL path: `/` and `/static/<name>`.
    private let files: [String: File]
    let iframePage: IframePage

    init(configuration: ServerConfiguration) {
        var files: [String: File] = [:]
        if let directory = Bundle.module.url(forResource: "Web", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        {
            for name in names {
                guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
                else { continue }
                files["/static/" + name] = File(bytes: Array(data), contentType: Self.contentType(of: name))
            }
        }
        files["/"] = files["/static/index.html"]
        if let library = FileManager.default.contents(atPath: configuration.sockJSClientPath) {
            files["/static/sockjs.min.js"] = File(bytes: Array(library), contentType: Self.contentType(of: "x.js"))
        }
        self.files = files
        let page = Array(SockJSPages.iframe(clientLibraryURL: configuration.sockJSClientURL).utf8)
        self.iframePage = IframePage(bytes: page, etag: "\"\(Self.fnv1a(page))\"")
    }

    func file(forPath path: String) -> File? {
        files[path]
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=UTF-8"
        case "js": "application/javascript; charset=UTF-8"
        case "css": "text/css; charset=UTF-8"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        case "json": "application/json; charset=UTF-8"
        default: "application/octet-stream"
        }
    }

    private static func fnv1a(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// RFC 7231 `IMF-fixdate` (`Sun, 06 Nov 1994 08:49:37 GMT`) for `Expires`.
enum HTTPDate {
    static func string(secondsSince1970: Int64) -> String {
        var time = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
