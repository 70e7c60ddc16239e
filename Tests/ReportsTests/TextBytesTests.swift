import Flows
import Identification
@testable import Reports
import Testing
import Wire

/// The byte formatters of the machine-readable flow logs spell everything exactly as the String
/// code they replaced: `String(n)`, `TimeFormatting`, `IPAddress.description`, `jsonString`.
@Suite("Flow log bytes: numbers, times, addresses and strings spelled as before")
struct TextBytesTests {
    static func spelled(_ body: (inout TextBytes) -> Void) -> String {
        let output = TextOutput(descriptor: -1, path: "test", owns: false)
        var text = ""
        output.appendBytes { bytes in
            body(&bytes)
            text = String(decoding: bytes.bytes, as: UTF8.self)
            bytes.count = 0
        }
        return text
    }

    /// A deterministic spread of values (xorshift), edge cases first.
    static func samples(_ count: Int, edges: [UInt64]) -> [UInt64] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var values = edges
        while values.count < count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            values.append(state >> (state % 64))
        }
        return values
    }

    @Test("integers, as String(n)")
    func integers() {
        for value in Self.samples(2_000, edges: [0, 1, 9, 10, 99, 100, 1_000_000, UInt64(Int.max), UInt64.max]) {
            #expect(Self.spelled { $0.unsigned(value) } == String(value))
            let signed = Int(truncatingIfNeeded: value)
            #expect(Self.spelled { $0.decimal(signed) } == String(signed))
        }
        #expect(Self.spelled { $0.decimal(Int.min) } == String(Int.min))
    }

    @Test("times and intervals, as TimeFormatting (six decimals, rounded; negative too)")
    func seconds() {
        for raw in Self.samples(2_000, edges: [0, 1, 499, 500, 999_999_499, 999_999_500, 1_768_471_200_000_000_000]) {
            let nanoseconds = Int64(truncatingIfNeeded: raw)
            for value in [nanoseconds, -nanoseconds, nanoseconds / 1000] where value != .min {
                for digits in [0, 3, 6, 9] {
                    #expect(Self.spelled { $0.seconds(nanoseconds: value, fractionDigits: digits) }
                            == TimeFormatting.decimal(nanoseconds: value, fractionDigits: digits))
                }
            }
        }
    }

    @Test("addresses, as IPAddress.description (RFC 5952)")
    func addresses() {
        var addresses = ["0.0.0.0", "255.255.255.255", "10.0.3.237", "::", "::1", "1::", "2001:db8::1", "2001:db8:0:0:1::1",
                         "2001:0:0:1::1", "fe80::1:0:0:1", "1:0:1:0:1:0:1:0", "::ffff:1.2.3.4", "64:ff9b::1.2.3.4",
                         "1:2:3:4:5:6:7:8", "0:0:1::"].map { IPAddress($0)! }
        for value in Self.samples(3_000, edges: []) {
            // Sparse groups, so zero runs of every length and position appear.
            let mask = value & 0x5555_0F0F_00FF_F0F0
            addresses.append(IPAddress(high: mask, low: value.byteSwapped & 0xFFFF_0000_0000_FFFF))
            addresses.append(IPAddress(high: value & 0xFFFF, low: mask))
            addresses.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: value)))
        }
        for address in addresses {
            #expect(Self.spelled { $0.address(address) } == address.description)
        }
    }

    @Test("JSON strings, as FlowLogWriter.jsonString: only quotes, backslashes and control characters escaped")
    func jsonStrings() {
        var strings = ["", "plain", "a \"b\" c", "back\\slash", "line\nfeed\ttab\rreturn", "\u{01}\u{1f}\u{7f}", "Ωμέγα 🚫",
                       "e\u{301}", "\u{0}x"]
        for value in Self.samples(500, edges: []) {
            let scalars = (0..<8).map { Unicode.Scalar(UInt8(truncatingIfNeeded: value >> ($0 * 8)) & 0x7F) }
            strings.append(String(String.UnicodeScalarView(scalars)))
        }
        for string in strings {
            #expect(Self.spelled { $0.jsonString(string) } == FlowLogWriter.jsonString(string))
        }
    }

    @Test("CSV text, as before: quoted when it holds a comma or a quote, quotes doubled; Character rules beyond ASCII")
    func csvText() {
        func reference(_ s: String) -> String {
            s.contains(",") || s.contains("\"") ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
        }
        let writer = FlowLogWriter(format: .csv, output: TextOutput(descriptor: -1, path: "test", owns: false))
        for text in ["", "plain", "a,b", "say \"hi\"", "\"", ",", "a,\"b\",c", "naïve,", "é\"", ",\u{301}x", "\u{301},"] {
            #expect(Self.spelled { writer.csvText(text, into: &$0) } == reference(text), "\(text)")
        }
    }

    @Test("growing past the buffer keeps every byte")
    func growth() {
        let long = String(repeating: "0123456789", count: 50_000)
        #expect(Self.spelled { bytes in
            bytes.utf8(long)
            bytes.utf8(long)
        } == long + long)
    }
}
