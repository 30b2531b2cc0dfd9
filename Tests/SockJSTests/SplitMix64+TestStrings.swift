import TestSupport

extension SplitMix64 {
    /// A random string mixing ASCII, control characters, the SockJS escape ranges and their
    /// neighbours, other BMP characters and astral characters.
    mutating func nextTestString(maxLength: Int = 24) -> String {
        let interesting: [ClosedRange<UInt32>] = [
            0x00...0x7F, 0x00...0x1F, 0x20...0x7E, 0x80...0x7FF, 0x200A...0x2011, 0x2026...0x2031,
            0x205E...0x2071, 0xD7F0...0xD7FF, 0xE000...0xE010, 0xFFE0...0xFFFF, 0x1_0000...0x1_0010,
            0x1_F600...0x1_F64F, 0x10_FFF0...0x10_FFFF, 0x0...0x10_FFFF,
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &self) {
            let range = interesting.randomElement(using: &self)!
            if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &self)) {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}
