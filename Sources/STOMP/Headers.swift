/// The headers of a frame: ordered `(name, value)` pairs, repeated names kept.
///
/// STOMP 1.2 says that when a header is repeated, only the first occurrence counts, so the
/// subscript returns the first value; the later ones are kept so that a frame re-encodes as it
/// arrived.
///
/// ```swift
/// var headers: Headers = ["destination": "/topic/chat"]
/// headers.append("receipt", "77")
/// headers["destination"]  // "/topic/chat"
/// ```
public struct Headers: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    fileprivate struct Field: Sendable, Equatable {
        var name: String
        var value: String
    }

    private var fields: [Field]

    /// Empty headers.
    public init() {
        fields = []
    }

    /// Headers with these pairs, in this order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Headers from a literal; the order of the literal is kept and repeated keys are allowed.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The value of the first header with this name, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of headers with this name, in order.
    public func values(for name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// Whether a header with this name is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { $0.name == name }
    }

    /// Adds a header at the end, after any with the same name.
    public mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Sets the header to this single value: replaces the first occurrence in place and removes
    /// the others, or appends it when absent.
    public mutating func set(_ name: String, to value: String) {
        guard let first = fields.firstIndex(where: { $0.name == name }) else {
            append(name, value)
            return
        }
        fields[first].value = value
        var index = fields.index(after: first)
        while index < fields.endIndex {
            if fields[index].name == name {
                fields.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    /// Removes every header with this name.
    public mutating func removeAll(named name: String) {
        fields.removeAll { $0.name == name }
    }

    /// The number of header lines, repeated names counted each time.
    public var count: Int { fields.count }

    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> Iterator {
        Iterator(fields: fields)
    }

    /// Iterates the headers in order.
    public struct Iterator: IteratorProtocol {
        private let fields: [Field]
        private var index = 0

        fileprivate init(fields: [Field]) {
            self.fields = fields
        }

        public mutating func next() -> Element? {
            guard index < fields.count else { return nil }
            defer { index += 1 }
            return (fields[index].name, fields[index].value)
        }
    }
}

extension Headers: CustomStringConvertible {
    public var description: String {
        "[" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
