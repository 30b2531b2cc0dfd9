import CNameSkeleton

/// What a name looks like, as one string: the name NFKC-case-folded, then mapped through the
/// confusables of Unicode TS #39 (ICU's spoof checker). Two names with one skeleton are one
/// name to a reader, so claims, presence and private messages compare names by it:
///
/// ```swift
/// NameSkeleton.of("Alice") == NameSkeleton.of("\u{430}lice")  // Cyrillic а: true
/// NameSkeleton.of("ａｌｉｃｅ")                                    // "alice"
/// ```
///
/// The display form stays what the owner typed; the skeleton is never shown.
public enum NameSkeleton {
    /// The skeleton of `name`. Falls back to the name itself if ICU cannot map it (not
    /// expected for a validated name: the bounds of the C side are far above a name's 64 bytes).
    public static func of(_ name: String) -> String {
        let capacity = 4096
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer -> String in
            let written = name.withCString { name_skeleton($0, buffer.baseAddress, Int32(capacity)) }
            guard written >= 0 else { return name }
            return String(
                decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(written)), as: UTF8.self)
        }
    }
}
