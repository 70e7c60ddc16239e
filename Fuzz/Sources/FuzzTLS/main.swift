@testable import Identification
import Flows
import FuzzSupport
import Wire

// TLS: ClientHello reassembly from TCP segments (in order, retransmitted, overlapping, with
// gaps) as the flow identifier does it, the record scan and the coalescing of a hello split over
// several handshake records, every ClientHello accessor (SNI, ALPN, versions, groups, key
// shares, ECH), and the ServerHello and alert views. Each piece of the input is one client
// segment: a 2-byte sequence offset, then the payload (see FuzzInput.withPieces).
let client = Endpoint(address: IPAddress(ipv4: 0x0A00_0001), port: 50_000)
let server = Endpoint(address: IPAddress(ipv4: 0x0A00_0002), port: 443)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzInput.withPieces(data, size, maximum: 1, raw: true) { whole in
        readStream(whole[0])
    }
    FuzzInput.withPieces(data, size, maximum: 32) { segments in
        // One identifier per input: it remembers catalog answers for names, so runs stay apart.
        var identifier = FlowIdentifier(catalog: FuzzInput.catalog)
        var inspection = FlowInspection(client: client, server: server, protocolNumber: 6, serverIsOriginator: false)
        let base: UInt32 = 0xFFFF_F000   // near the wrap, so sequence arithmetic wraps too
        for segment in segments where segment.count >= 2 {
            let sequence = base &+ (UInt32(segment[0]) << 8 | UInt32(segment[1]))
            let payload = UnsafeRawBufferPointer(rebasing: segment[2...])
            inspection.appendClient(payload, sequence: sequence)
            inspection.clientStream.withUnsafeBytes { stream in
                inspection.serverStream.withUnsafeBytes { serverBytes in
                    var copy = inspection
                    identifier.inspectStreams(client: stream, server: serverBytes, &copy)
                    blackHole(copy.identity)
                }
            }
        }
        inspection.clientStream.withUnsafeBytes { readStream($0) }
    }
    return 0
}

func readStream(_ stream: UnsafeRawBufferPointer) {
    switch TLSClientHello.scan(stream) {
    case .complete(let hello):
        readHello(hello)
    case .fragmented(let length):
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
        defer { buffer.deallocate() }
        if let message = TLSHandshakeMessage.coalesce(records: stream, into: buffer) {
            touch(message)
            if let hello = TLSClientHello(handshake: message) { readHello(hello) }
        }
    default:
        break
    }
    if let hello = TLSClientHello(record: stream) { readHello(hello) }
    if let hello = TLSClientHello(handshake: stream) { readHello(hello) }
    var records = TLSRecord.records(in: stream)
    while let record = records.next() {
        touch(record.fragment)
        blackHole((record.contentType, record.version, record.length))
    }
    blackHole(records.consumed)
    if case .complete(let hello) = TLSServerHello.scan(stream) {
        blackHole((hello.isHelloRetryRequest, hello.selectedVersion, hello.keyShareGroup))
        if let alpn = hello.selectedALPN { touch(alpn) }
    }
    if let alert = TLSAlert(record: stream) { blackHole(alert) }
    if let alert = TLSAlert(stream) { blackHole(alert) }
}

func readHello(_ hello: TLSClientHello) {
    touch(hello.random)
    touch(hello.sessionID)
    touch(hello.compressionMethods)
    blackHole((hello.legacyVersion, hello.cipherSuiteCount, hello.serverName, hello.alpn?.strings,
               hello.offersTLS13, hello.highestVersion, hello.offersPostQuantumKeyShare,
               hello.hasEncryptedClientHello, hello.hasEncryptedServerName))
    for suite in hello.cipherSuites { blackHole(suite) }
    if let versions = hello.supportedVersions { for version in versions { blackHole(version) } }
    if let groups = hello.supportedGroups { for group in groups { blackHole(group) } }
    if let shares = hello.keyShares { for share in shares { blackHole(share) } }
    if let ech = hello.encryptedClientHello { touch(ech) }
    for ext in hello.extensions { blackHole(ext) }
    blackHole(PayloadRecognizer.recognizeClientHello(hello))
}

FuzzInput.run(fuzz)
