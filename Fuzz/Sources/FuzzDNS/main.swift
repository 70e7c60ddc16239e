import FuzzSupport
import Identification
import Wire

// DNS messages: names with compression pointers (loops, forward pointers, chains past the hop
// cap, overlong names), every section, record data (A, AAAA, CNAME-like targets, SVCB/HTTPS
// parameters), truncated messages, TCP framing, and learning names from answers as the flow
// identifier does. The input is one message over UDP; it is also read as a TCP stream.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzInput.withPieces(data, size, maximum: 1, raw: true) { pieces in
        let bytes = pieces[0]
        if let message = DNSMessage(bytes) { read(message) }
        if let message = DNSMessage(acceptingTruncation: bytes) {
            read(message)
            var association = DNSAssociation(maximumEntries: 4)
            association.learn(from: message, at: Timestamp(nanoseconds: 1))
            blackHole(association.count)
        }
        if case .complete(let message, let frameLength) = DNSMessage.tcpFrame(in: bytes) {
            blackHole(frameLength)
            if let message = DNSMessage(acceptingTruncation: message) { read(message) }
        }
        // Any offset as the start of a name (pointers may lead anywhere in the message).
        if bytes.count > 2 {
            let offset = Int(bytes[0]) % bytes.count
            if let name = DNSName(in: bytes, at: offset) { readName(name) }
        }
    }
    return 0
}

func read(_ message: DNSMessage) {
    blackHole((message.id, message.flags, message.isResponse, message.opcode, message.isTruncated,
               message.responseCode, message.questionCount, message.answerCount, message.isComplete))
    for question in message.questions {
        readName(question.name)
        blackHole((question.type, question.dnsClass))
    }
    for record in message.records {
        readName(record.name)
        touch(record.data)
        blackHole((record.type, record.dnsClass, record.ttl, record.section, record.address))
        if let target = record.target { readName(target) }
        if let binding = record.serviceBinding {
            for parameter in binding.parameters { touch(parameter.value); blackHole(parameter.key) }
            blackHole((binding.alpn?.strings, binding.port, binding.hasECHConfig))
            if let hints = binding.ipv4Hints { for address in hints { blackHole(address) } }
            if let hints = binding.ipv6Hints { for address in hints { blackHole(address) } }
        }
    }
    blackHole(message.name(at: DNSHeader.length))
}

func readName(_ name: DNSName) {
    blackHole((name.text, name.labelCount, name.wireLength, name.encodedLength, name.isRoot))
    for label in name.labels { touch(label) }
    blackHole((name.equals("www.example.com"), name.isSubdomain(of: "example.com")))
}

FuzzInput.run(fuzz)
