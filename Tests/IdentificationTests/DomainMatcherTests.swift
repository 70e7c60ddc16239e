import Testing
@testable import Identification

@Suite("Domain suffix matching by whole labels")
struct CatalogDomainMatcherTests {
    let matcher = DomainMatcher([("t.co", 1), ("x.com", 2), ("googleapis.com", 3), ("youtubei.googleapis.com", 4),
                                 ("whatsapp.net", 5), ("co.uk", 6)])

    @Test("a suffix matches itself and names below it", arguments: [
        ("t.co", 1), ("www.t.co", 1), ("x.com", 2), ("api.x.com", 2), ("fonts.googleapis.com", 3),
        ("youtubei.googleapis.com", 4), ("a.youtubei.googleapis.com", 4), ("mmg.whatsapp.net", 5),
    ])
    func matches(name: String, owner: Int32) {
        #expect(matcher.match(name)?.owner == owner)
    }

    @Test("never by substring or partial label", arguments: [
        "microsoft.co", "microsoft.com", "reddit.com", "notx.com", "x.com.evil.example", "tt.co", "t.com", "co",
        "googleapis.com.example", "xgoogleapis.com", "whatsapp.network", "",
    ])
    func rejects(name: String) {
        #expect(matcher.match(name) == nil)
    }

    @Test("case-insensitive, one trailing dot ignored, the matched suffix reported")
    func normalisation() {
        #expect(matcher.match("WWW.T.CO.")?.suffix == "t.co")
        #expect(matcher.match("YouTubeI.GoogleAPIs.com")?.suffix == "youtubei.googleapis.com")
        #expect(matcher.match("t.co..") == nil)
        #expect(matcher.match("a..t.co") == nil)
        #expect(matcher.match(".") == nil)
        #expect(matcher.match("bad name.t.co") == nil)
    }

    @Test("the most specific suffix wins whatever the insertion order")
    func mostSpecific() {
        let reversed = DomainMatcher([("youtubei.googleapis.com", 4), ("googleapis.com", 3)])
        #expect(reversed.match("youtubei.googleapis.com")?.owner == 4)
        #expect(reversed.match("maps.googleapis.com")?.owner == 3)
        let later = DomainMatcher([("a.example", 1), ("a.example", 2)])
        #expect(later.match("a.example")?.owner == 2)
    }

    @Test("what a signature file may list", arguments: [
        ("t.co", "t.co"), ("Example.ORG.", "example.org"), ("cdn-telegram.org", "cdn-telegram.org"),
        ("_dmarc.example.com", "_dmarc.example.com"),
    ])
    func validSuffixes(text: String, canonical: String) {
        #expect(DomainMatcher.validatedSuffix(text) == canonical)
    }

    @Test("what a signature file may not list", arguments: [
        "com", "*.example.com", ".example.com", "a..example.com", "-bad.example", "bad-.example", "exa mple.com",
        "ex/ample.com", "", "münchen.de",
    ])
    func invalidSuffixes(text: String) {
        #expect(DomainMatcher.validatedSuffix(text) == nil)
    }
}

@Suite("Domain matching: the one-pass ASCII path answers as the String path")
struct DomainMatcherFastPathTests {
    @Test("names of every shape, against the bundled catalog's suffixes and a small table")
    func sameAnswers() throws {
        let small = DomainMatcher([("t.co", 1), ("x.com", 2), ("googleapis.com", 3), ("youtubei.googleapis.com", 4),
                                   ("a.example", 5), ("a.example", 6)])
        let catalogSuffixes = try SignatureCatalog.bundled().definitions.flatMap { $0.entries.filter { $0.kind == .domain }.map(\.value) }
        #expect(catalogSuffixes.count > 50)
        let big = DomainMatcher(catalogSuffixes.enumerated().map { ($0.element, Int32($0.offset)) })
        var names = ["t.co", "x.t.co", "T.CO", "WWW.T.CO.", "t.co.", "t.co..", ".t.co", "a..t.co", ".", "", "co", "microsoft.co",
                     "YouTubeI.GoogleAPIs.com", "maps.googleapis.com", "googleapis.com.", "bad name.t.co", "tab\tx.com",
                     "del\u{7f}.x.com", "a.example", "x.a.example", String(repeating: "a.", count: 130) + "t.co",
                     String(repeating: "b", count: 250) + ".x.com", "ünïcode.x.com", "x.com\u{301}", "\u{212A}.x.com"]
        names += catalogSuffixes.flatMap { ["www." + $0, $0.uppercased(), "x" + $0, $0 + ".evil"] }
        for name in names {
            for matcher in [small, big] {
                let fast = matcher.match(name), slow = matcher.matchByStrings(name)
                #expect(fast?.owner == slow?.owner && fast?.suffix == slow?.suffix, "\(name)")
            }
        }
    }
}
