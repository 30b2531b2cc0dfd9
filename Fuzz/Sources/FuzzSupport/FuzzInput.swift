/// The bytes libFuzzer hands to one run, read front to back: a few configuration bytes first,
/// then the payload. Reading past the end yields zeros, so every input is usable.
public struct FuzzInput {
    private let bytes: [UInt8]
    private var index = 0

    /// Copies libFuzzer's buffer; `size` may be 0.
    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Wraps bytes already in an array (regression tests replay inputs this way).
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next byte, or 0 once the input is used up.
    public mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    /// The next `count` bytes (fewer at the end of the input).
    public mutating func bytes(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, index + max(0, count))
        defer { index = end }
        return Array(bytes[index..<end])
    }

    /// Everything not read yet.
    public mutating func rest() -> [UInt8] {
        bytes(bytes.count - index)
    }
}

/// Splits `bytes` into chunks whose sizes (1 to 32) follow a small generator seeded by `seed`,
/// so the same input is always cut the same way and different seeds cut it differently.
/// Seed 0 keeps the bytes whole.
public func chunked(_ bytes: [UInt8], seed: UInt8) -> [ArraySlice<UInt8>] {
    guard seed != 0 else { return [bytes[...]] }
    var state = UInt32(seed) &* 2_654_435_761
    var chunks: [ArraySlice<UInt8>] = []
    var start = 0
    while start < bytes.count {
        state = state &* 1_103_515_245 &+ 12_345
        let length = 1 + Int((state >> 16) % 32)
        let end = min(bytes.count, start + length)
        chunks.append(bytes[start..<end])
        start = end
    }
    return chunks
}

/// Stops the run, and so makes libFuzzer record a crash with this input, when an invariant fails.
public func require(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line
) {
    if !condition {
        fatalError("invariant failed: \(message())", file: file, line: line)
    }
}
