import Testing
import Wire
@testable import Identification

/// A small deterministic generator (SplitMix64), so a failing random case can be replayed.
private struct PrefixTestRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Address prefixes and longest-prefix match")
struct CatalogAddressPrefixTableTests {
    func prefix(_ text: String) -> AddressPrefix { AddressPrefix(text)! }
    func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test("prefix text: canonical form, host bits, lengths, bare addresses", arguments: [
        ("149.154.160.0/20", "149.154.160.0/20"), ("2001:0b28:f23c::/47", "2001:b28:f23c::/47"),
        ("10.1.2.3", "10.1.2.3/32"), ("2001:db8::1", "2001:db8::1/128"), ("0.0.0.0/0", "0.0.0.0/0"), ("::/0", "::/0"),
    ])
    func parses(text: String, canonical: String) {
        #expect(AddressPrefix(text)?.description == canonical)
    }

    @Test("bad prefix text is refused", arguments: [
        "10.0.0.1/8", "10.0.0.0/33", "2001:db8::/129", "2001:db8::1/64", "10.0.0.0/", "/8", "10.0.0.0/8/8",
        "10.0.0.0/-1", "10.0.0.0/ 8", "", "10.0.0.0/0x8", "1.2.3/24",
    ])
    func refuses(text: String) {
        #expect(AddressPrefix(text) == nil)
    }

    @Test("IPv4 prefixes live in the mapped range")
    func mapped() {
        let p = prefix("149.154.160.0/20")
        #expect(p.isIPv4 && p.length == 116)
        #expect(p.first == ip("149.154.160.0") && p.last == ip("149.154.175.255"))
        #expect(p.contains(ip("149.154.167.51")) && !p.contains(ip("149.154.176.0")))
        #expect(!p.contains(ip("::149.154.167.51")))
    }

    @Test("nested and disjoint prefixes: the most specific owner at every boundary")
    func nested() {
        let table = AddressPrefixTable([(prefix("10.0.0.0/8"), 1), (prefix("10.1.0.0/16"), 2), (prefix("10.1.2.0/24"), 3),
                                        (prefix("10.2.0.0/16"), 4), (prefix("10.1.2.128/25"), 5), (prefix("192.0.2.0/24"), 6)])
        func owner(_ text: String) -> Int32? { table.lookup(ip(text)).map { table.owners[$0] } }
        #expect(owner("9.255.255.255") == nil)
        #expect(owner("10.0.0.0") == 1)
        #expect(owner("10.0.255.255") == 1)
        #expect(owner("10.1.0.0") == 2)
        #expect(owner("10.1.1.255") == 2)
        #expect(owner("10.1.2.0") == 3)
        #expect(owner("10.1.2.127") == 3)
        #expect(owner("10.1.2.128") == 5)
        #expect(owner("10.1.2.255") == 5)
        #expect(owner("10.1.3.0") == 2)
        #expect(owner("10.1.255.255") == 2)
        #expect(owner("10.2.0.0") == 4)
        #expect(owner("10.2.255.255") == 4)
        #expect(owner("10.3.0.0") == 1)
        #expect(owner("10.255.255.255") == 1)
        #expect(owner("11.0.0.0") == nil)
        #expect(owner("192.0.2.77") == 6)
        #expect(owner("192.0.3.0") == nil)
    }

    @Test("the whole space and its very last address")
    func extremes() {
        let table = AddressPrefixTable([(prefix("::/0"), 1), (prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 2),
                                        (prefix("::/128"), 3), (prefix("0.0.0.0/0"), 4)])
        func owner(_ address: IPAddress) -> Int32? { table.lookup(address).map { table.owners[$0] } }
        #expect(owner(IPAddress(high: 0, low: 0)) == 3)
        #expect(owner(IPAddress(high: 0, low: 1)) == 1)
        #expect(owner(IPAddress(high: ~0, low: ~0)) == 2)
        #expect(owner(IPAddress(high: ~0, low: ~0 - 1)) == 1)
        #expect(owner(ip("8.8.8.8")) == 4)
        #expect(owner(ip("2001:db8::1")) == 1)
        #expect(AddressPrefixTable([]).lookup(ip("1.2.3.4")) == nil)
    }

    @Test("an identical prefix given twice keeps the later owner")
    func identical() {
        let table = AddressPrefixTable([(prefix("192.0.2.0/24"), 1), (prefix("192.0.2.0/24"), 2)])
        #expect(table.prefixes.count == 1)
        #expect(table.lookup(ip("192.0.2.1")).map { table.owners[$0] } == 2)
    }

    /// The reference: scan every prefix, keep the longest that contains the address.
    func naive(_ prefixes: [AddressPrefix], _ address: IPAddress) -> AddressPrefix? {
        prefixes.filter { $0.contains(address) }.max { $0.length < $1.length }
    }

    @Test("random nested prefix sets agree with a linear scan, including every boundary address", arguments: [1, 2, 3, 4])
    func randomAgainstNaive(seed: UInt64) {
        var rng = PrefixTestRandom(state: seed)
        // Clustered bases force nesting; a few lengths per cluster.
        let bases = (0..<6).map { _ in IPAddress(high: rng.next() & 0xFFFF_0000_0000_0000, low: 0) }
            + [IPAddress(ipv4: 0x0A00_0000), IPAddress(ipv4: 0x9500_0000)]
        var prefixes: [AddressPrefix] = []
        for _ in 0..<250 {
            let base = bases[Int(rng.next() % UInt64(bases.count))]
            let v4 = base.isIPv4
            let length = v4 ? 96 + Int(rng.next() % 33) : Int(rng.next() % 129)
            var raw = IPAddress(high: base.high ^ (rng.next() & 0x0000_FFFF_FFFF_FFFF), low: rng.next())
            if v4 { raw = IPAddress(ipv4: UInt32(truncatingIfNeeded: base.low) ^ UInt32(truncatingIfNeeded: rng.next() >> 40)) }
            let first = AddressPrefix.masked(raw, length: length)
            let text = v4 ? "\(first)/\(length - 96)" : "\(first)/\(length)"
            if let p = AddressPrefix(text) { prefixes.append(p) }
        }
        let table = AddressPrefixTable(prefixes.enumerated().map { ($0.element, Int32($0.offset)) })
        var probes: [IPAddress] = []
        for p in table.prefixes { probes += [p.first, p.last, p.first.predecessor, p.last.successor] }
        for _ in 0..<20_000 {
            let base = bases[Int(rng.next() % UInt64(bases.count))]
            probes.append(base.isIPv4 ? IPAddress(ipv4: UInt32(truncatingIfNeeded: base.low) ^ UInt32(truncatingIfNeeded: rng.next() >> 40))
                                      : IPAddress(high: base.high ^ (rng.next() & 0x0000_FFFF_FFFF_FFFF), low: rng.next()))
        }
        var mismatches = 0
        for probe in probes {
            let expected = naive(table.prefixes, probe)
            let found = table.lookup(probe).map { table.prefixes[$0] }
            if expected != found { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(table.rangeCount >= 1)
    }

    @Test("a million lookups on the bundled catalog answer like a linear scan of its prefixes")
    func millionLookups() throws {
        let catalog = try SignatureCatalog.bundled()
        let prefixes = catalog.definitions.flatMap { d in
            d.entries.filter { $0.kind == .ipv4Prefix || $0.kind == .ipv6Prefix }.compactMap { AddressPrefix($0.value) }
        }
        var rng = PrefixTestRandom(state: 42)
        var hits = 0, checked = 0
        for i in 0..<1_000_000 {
            // Mostly IPv4 (where the prefixes are dense), some inside the prefixes, some IPv6.
            let address: IPAddress
            switch i % 4 {
            case 0: address = IPAddress(high: rng.next(), low: rng.next())
            case 1: address = prefixes[Int(rng.next() % UInt64(prefixes.count))].first
            default: address = IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()))
            }
            let match = catalog.service(for: address)
            if match != nil { hits += 1 }
            if i % 97 == 0 {
                checked += 1
                #expect(match?.prefix == naive(prefixes, address)?.description)
            }
        }
        #expect(hits > 250_000)
        #expect(checked > 10_000)
    }
}

@Suite("Prefix lists (--domestic)")
struct CatalogPrefixListTests {
    @Test("commas, spaces, new lines and comments; bare addresses; both families")
    func parse() throws {
        let list = try PrefixList.parse("""
            # Kazakhstan, a few ranges
            2.132.0.0/14, 5.34.0.0/17   95.56.0.0/14 # trailing comment
            192.0.2.7
            2001:db8::/32,,
            """)
        #expect(list.prefixes == ["2.132.0.0/14", "5.34.0.0/17", "95.56.0.0/14", "192.0.2.7/32", "2001:db8::/32"])
        #expect(list.contains(IPAddress("2.133.1.1")!))
        #expect(list.contains(IPAddress("192.0.2.7")!))
        #expect(!list.contains(IPAddress("192.0.2.8")!))
        #expect(list.contains(IPAddress("2001:db8:5::1")!))
        #expect(!list.contains(IPAddress("8.8.8.8")!))
        #expect(try PrefixList.parse("  # nothing\n").isEmpty)
    }

    @Test("a bad prefix names where it came from and the value, on one line")
    func bad() {
        #expect(throws: SignatureError.badPrefix(file: "--domestic", value: "10.0.0.1/8")) {
            try PrefixList.parse("10.0.0.0/8, 10.0.0.1/8")
        }
        do {
            _ = try PrefixList.parse("1.2.3.4/40", origin: "kz.txt")
            Issue.record("accepted /40")
        } catch {
            #expect(error == .badPrefix(file: "kz.txt", value: "1.2.3.4/40"))
            #expect(error.description.contains("kz.txt") && error.description.contains("1.2.3.4/40"))
        }
        #expect(throws: SignatureError.self) { try PrefixList.load(path: "/nonexistent/blockwatch-kz.txt") }
    }
}
