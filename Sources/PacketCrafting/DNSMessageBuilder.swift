/// Minimal DNS messages (RFC 1035) for crafted traffic: one question, optional A/AAAA answers.
public enum DNSMessageBuilder {
    /// Record types used here.
    public static let typeA: UInt16 = 1
    public static let typeAAAA: UInt16 = 28

    /// A recursive query for `name`.
    public static func query(id: UInt16, name: String, type: UInt16 = typeA) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(id)
        bytes.appendBigEndian(UInt16(0x0100))  // standard query, recursion desired
        bytes.appendBigEndian(UInt16(1))       // one question
        bytes += [0, 0, 0, 0, 0, 0]
        bytes += question(name: name, type: type)
        return bytes
    }

    /// The response to `query(id:name:type:)` with `answers` (A for IPv4, AAAA for IPv6, each
    /// naming the question by a compression pointer) and `responseCode` (3 = NXDOMAIN).
    public static func response(id: UInt16, name: String, type: UInt16 = typeA, answers: [HostAddress],
                                ttl: UInt32 = 300, responseCode: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(id)
        bytes.appendBigEndian(UInt16(0x8180) | UInt16(responseCode & 0x0F))  // response, RD, RA
        bytes.appendBigEndian(UInt16(1))
        bytes.appendBigEndian(UInt16(answers.count))
        bytes += [0, 0, 0, 0]
        bytes += question(name: name, type: type)
        for answer in answers {
            bytes += [0xC0, 0x0C]  // the name at offset 12, the question's
            bytes.appendBigEndian(answer.isIPv6 ? typeAAAA : typeA)
            bytes.appendBigEndian(UInt16(1))
            bytes.appendBigEndian(ttl)
            let data = answer.bytes
            bytes.appendBigEndian(UInt16(data.count))
            bytes += data
        }
        return bytes
    }

    /// The encoded name (length-prefixed labels, root terminated), type and class IN.
    static func question(name: String, type: UInt16) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8)
            precondition(utf8.count < 64, "DNS labels are at most 63 bytes")
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
        bytes.appendBigEndian(type)
        bytes.appendBigEndian(UInt16(1))
        return bytes
    }
}
