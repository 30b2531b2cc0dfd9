import FuzzSupport
import LobbyCore

// The name rules of issue 21: `UserName(validating:)`, `UserName(previouslyClaimed:)` and
// `NameSkeleton.of` (ICU through the CNameSkeleton C target).
//
// Input: UTF-8 bytes (invalid sequences decode to U+FFFD, as the server's JSON decoder would
// never let them through, but the rules must not care). Checked: a valid name is trimmed, at most
// 32 characters and 64 bytes, one word, holds a letter or digit and no default-ignorable scalar;
// validating it again gives the same name; its skeleton is the same for its NFC and NFD forms
// and for the name typed again; a name valid now is valid under the earlier rules too.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNameRules(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let raw = String(decoding: input.rest(), as: UTF8.self)
    let skeleton = NameSkeleton.of(raw)
    require(NameSkeleton.of(raw) == skeleton, "the skeleton of one string is one string")
    _ = try? UserName(previouslyClaimed: raw)
    guard let name = try? UserName(validating: raw) else { return 0 }
    let text = name.rawValue
    require(text.count <= UserName.maximumLength, "at most 32 characters: \(text.debugDescription)")
    require(text.utf8.count <= UserName.maximumBytes, "at most 64 bytes: \(text.debugDescription)")
    require(!text.unicodeScalars.contains { $0.properties.isWhitespace }, "no whitespace: \(text.debugDescription)")
    require(
        !text.unicodeScalars.contains { $0.properties.isDefaultIgnorableCodePoint },
        "no default-ignorable scalar: \(text.debugDescription)")
    require((try? UserName(validating: text)) == name, "validating again: \(text.debugDescription)")
    require((try? UserName(previouslyClaimed: text)) == name, "valid under the earlier rules: \(text.debugDescription)")
    require(name.skeleton == NameSkeleton.of(text), "the name's skeleton: \(text.debugDescription)")
    return 0
}
