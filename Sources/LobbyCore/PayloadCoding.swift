#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JSON for the payloads of Lobby's destinations, in one place so the server and the client
/// encode and decode every frame alike.
public enum PayloadCoding {
    /// Encodes a request body. Keys are sorted so the bytes on the wire are stable (and testable).
    public static func encode<Payload: Encodable>(_ payload: Payload) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The payloads are plain strings and numbers: encoding them cannot fail.
        return Array((try? encoder.encode(payload)) ?? Data("{}".utf8))
    }

    /// Decodes a message body, describing what went wrong in words when it does not decode.
    public static func decode<Payload: Decodable>(
        _ type: Payload.Type, from body: [UInt8]
    ) -> Result<Payload, DecodeFailure> {
        do {
            return .success(try JSONDecoder().decode(type, from: Data(body)))
        } catch let error as DecodingError {
            return .failure(DecodeFailure(error))
        } catch {
            return .failure(DecodeFailure(description: "\(error)"))
        }
    }

    public struct DecodeFailure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }

        /// One line naming the field at fault, instead of the decoder's nested dump.
        public init(_ error: DecodingError) {
            func path(_ context: DecodingError.Context) -> String {
                context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            }
            switch error {
            case .keyNotFound(let key, let context):
                let parent = path(context)
                description = "missing \(parent.isEmpty ? "" : parent + ".")\(key.stringValue)"
            case .valueNotFound(_, let context), .typeMismatch(_, let context):
                description = "wrong or missing value at \(path(context))"
            case .dataCorrupted(let context):
                let at = path(context)
                description = context.debugDescription + (at.isEmpty ? "" : " at \(at)")
            @unknown default:
                description = "\(error)"
            }
        }
    }
}
