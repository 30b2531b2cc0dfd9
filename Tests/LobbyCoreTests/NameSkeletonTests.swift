import Foundation
import LobbyCore
import TestSupport
import Testing

@Suite("Name skeletons (Unicode TS #39)")
struct NameSkeletonTests {
    @Test(
        "look-alikes of alice are alice",
        arguments: [
            "alice", "Alice", "ALICE", "aLiCe",
            "\u{430}lice",  // Cyrillic а
            "ａｌｉｃｅ",  // fullwidth
            "\u{1D41A}lice",  // mathematical bold a
            "al\u{131}ce",  // dotless ı
        ])
    func lookAlikesShareTheSkeleton(name: String) throws {
        #expect(NameSkeleton.of(name) == NameSkeleton.of("alice"))
        #expect(try UserName(validating: name) == UserName(validating: "alice"))
    }

    @Test func differentNamesStayDifferent() throws {
        #expect(try UserName(validating: "alice") != UserName(validating: "alicia"))
        #expect(try UserName(validating: "bob") != UserName(validating: "bobby"))
        #expect(try UserName(validating: "김민지") != UserName(validating: "김민수"))
    }

    @Test func digitsThatLookLikeLettersAreConfusable() {
        #expect(NameSkeleton.of("user1") == NameSkeleton.of("userl"))
        #expect(NameSkeleton.of("paypa1") == NameSkeleton.of("paypal"))
    }

    @Test func theDisplayFormIsWhatTheOwnerTyped() throws {
        let name = try UserName(validating: "Alice")
        #expect(name.rawValue == "Alice")
        #expect(name.description == "Alice")
        #expect(name.skeleton != name.rawValue)
    }

    /// A name's skeleton is stable under normalization, case and confusable swaps: a random
    /// name from a small alphabet, transformed at random, keeps its skeleton.
    @Test func skeletonIsStableUnderNormalizationCaseAndConfusableSwaps() {
        var generator = SplitMix64(seed: 0x5EED_1A2E)
        let letters: [Character] = Array("abcdeiklmnoprstuxyzé")
        let confusables: [Character: [String]] = [
            "a": ["\u{430}", "ａ", "A"], "e": ["\u{435}", "ｅ", "E"], "o": ["\u{43E}", "ｏ", "O", "\u{3BF}"],
            "p": ["\u{440}", "P"], "c": ["\u{441}", "C"], "x": ["\u{445}", "X"], "i": ["\u{456}", "I"],
            "é": ["e\u{301}", "É", "E\u{301}"],
        ]
        for _ in 0..<500 {
            let length = Int.random(in: 1...12, using: &generator)
            let name = String((0..<length).map { _ in letters.randomElement(using: &generator)! })
            let reference = NameSkeleton.of(name)
            #expect(NameSkeleton.of(name.decomposedStringWithCanonicalMapping) == reference, "NFD of \(name)")
            #expect(NameSkeleton.of(name.precomposedStringWithCanonicalMapping) == reference, "NFC of \(name)")
            #expect(NameSkeleton.of(name.uppercased()) == reference, "uppercase of \(name)")
            var swapped = ""
            for character in name {
                if let options = confusables[character], Bool.random(using: &generator) {
                    swapped += options.randomElement(using: &generator)!
                } else {
                    swapped.append(character)
                }
            }
            #expect(NameSkeleton.of(swapped) == reference, "\(swapped) against \(name)")
        }
    }
}
