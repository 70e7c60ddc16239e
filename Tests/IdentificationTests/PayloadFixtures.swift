import Identification
import PacketCrafting
import Testing

// Helpers for the payload-recognizer tests: hex fixtures pasted from tshark
// (`-e tcp.payload` / `-e udp.payload` on the nDPI corpus in ../shared/corpus/ndpi/pcap/), buffers
// allocated to the exact byte so an over-read trips the debug bounds check, and one runner that
// feeds a table of fixtures to the recognizer.
enum PayloadFixture {
    /// Bytes from hex text; whitespace and newlines ignored.
    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var high: UInt8? = nil
        for c in hex.utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
            default: continue
            }
            if let h = high {
                result.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        precondition(high == nil, "odd number of hex digits in a fixture")
        return result
    }

    /// Runs `body` over a fresh allocation holding exactly `bytes`, so no slack follows them.
    static func withExact<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        defer { buffer.deallocate() }
        _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        return try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<bytes.count]))
    }

    static func tcp(_ client: [UInt8], server: [UInt8] = [], clientPort: UInt16 = 50_000,
                    serverPort: UInt16 = 443) -> PayloadMatch? {
        withExact(client) { client in
            withExact(server) { server in
                PayloadRecognizer.recognizeTCP(client: client, server: server, clientPort: clientPort, serverPort: serverPort)
            }
        }
    }

    static func udp(_ payload: [UInt8], fromClient: Bool = true, clientPort: UInt16 = 50_000,
                    serverPort: UInt16 = 3478) -> PayloadMatch? {
        withExact(payload) {
            PayloadRecognizer.recognizeUDP($0, fromClient: fromClient, clientPort: clientPort, serverPort: serverPort)
        }
    }

    /// One row of a fixture table: bytes, where they come from, and what the recognizer must say.
    struct Case: CustomTestStringConvertible, Sendable {
        enum Transport: Sendable { case tcp(server: [UInt8]), udp(fromClient: Bool) }
        var name: String
        var bytes: [UInt8]
        var transport: Transport
        var ports: (client: UInt16, server: UInt16)
        var expected: ApplicationProtocol?
        var app: ServiceName?

        var testDescription: String { name }

        func run() -> PayloadMatch? {
            switch transport {
            case .tcp(let server):
                PayloadFixture.tcp(bytes, server: server, clientPort: ports.client, serverPort: ports.server)
            case .udp(let fromClient):
                PayloadFixture.udp(bytes, fromClient: fromClient, clientPort: ports.client, serverPort: ports.server)
            }
        }
    }
}
