import Testing
@testable import Wire

// Fixtures are TCP payloads from the nDPI test captures (../shared/corpus/ndpi/pcap/), extracted
// with `tshark -r F -Y "frame.number==N" -T fields -e tcp.payload`.
enum HTTPFixtures {
    // tshark: android.pcap #83, GET / HTTP/1.1 (Host: captive.apple.com, after User-Agent and Connection)
    static let captivePortalProbe = AppFixture.bytes("""
        474554202f20485454502f312e310d0a557365722d4167656e743a204d6f7a696c6c612f352e3020285831313b204c696e7578207838365f363429204170706c
        655765624b69742f3533372e333620284b48544d4c2c206c696b65204765636b6f29204368726f6d652f36302e302e333131322e3332205361666172692f3533
        372e33360d0a436f6e6e656374696f6e3a20436c6f73650d0a486f73743a20636170746976652e6170706c652e636f6d0d0a4163636570742d456e636f64696e
        673a20677a69700d0a0d0a
        """)

    // tshark: http-manipulated.pcap #4, GET / HTTP/1.1 with a mangled "hOsT:wwww.lan:8080" (no space)
    static let manipulatedHost = AppFixture.bytes("""
        474554202f20485454502f312e310d0a684f73543a777777772e6c616e3a383038300d0a557365722d4167656e743a206375726c2f372e36342e300d0a416363
        6570743a202a2f2a0d0a0d0a
        """)
}

@Suite("HTTPRequest")
struct HTTPRequestTests {
    static func parse(_ bytes: [UInt8], _ body: (HTTPRequestScan) -> Void) {
        AppFixture.withExact(bytes) { body(HTTPRequest.parse($0)) }
    }

    @Test("request line and Host of a real captive-portal probe")
    func captivePortal() {
        HTTPRequestTests.parse(HTTPFixtures.captivePortalProbe) { scan in
            guard case .complete(let request) = scan else { Issue.record("expected complete"); return }
            #expect(AppFixture.text(request.method) == "GET")
            #expect(request.knownMethod == .get)
            #expect(AppFixture.text(request.target) == "/")
            #expect(request.version == HTTPVersion(major: 1, minor: 1))
            #expect(request.host == "captive.apple.com")
            #expect(AppFixture.text(request.field(named: "connection")) == "Close")
            #expect(request.fields.map { AppFixture.text($0.name)! } == ["User-Agent", "Connection", "Host", "Accept-Encoding"])
            #expect(request.bytes.count == HTTPFixtures.captivePortalProbe.count)
        }
    }

    @Test("a Host field in odd case with no space after the colon is still found")
    func manipulatedHost() {
        HTTPRequestTests.parse(HTTPFixtures.manipulatedHost) { scan in
            guard case .complete(let request) = scan else { Issue.record("expected complete"); return }
            #expect(request.host == "wwww.lan:8080")
            #expect(AppFixture.text(request.field(named: "USER-AGENT")) == "curl/7.64.0")
        }
    }

    @Test("every truncation of a request head needs more, never completes")
    func truncations() {
        for fixture in [HTTPFixtures.captivePortalProbe, HTTPFixtures.manipulatedHost] {
            AppFixture.forEachTruncation(of: fixture) { length, bytes in
                guard case .needMore = HTTPRequest.parse(bytes) else {
                    Issue.record("prefix of \(length) bytes was not needMore")
                    return
                }
            }
        }
    }

    @Test("a body after the head is not part of the view")
    func body() {
        let bytes = Array("POST /api HTTP/1.0\r\nHost: a.example\r\nContent-Length: 3\r\n\r\nabc".utf8)
        HTTPRequestTests.parse(bytes) { scan in
            guard case .complete(let request) = scan else { Issue.record("expected complete"); return }
            #expect(request.knownMethod == .post)
            #expect(request.version.description == "HTTP/1.0")
            #expect(request.bytes.count == bytes.count - 3)
            #expect(request.host == "a.example")
        }
    }

    @Test("bare LF line ends, CONNECT targets, an absent Host and unknown methods")
    func variants() {
        HTTPRequestTests.parse(Array("CONNECT web.telegram.org:443 HTTP/1.1\nHost: web.telegram.org:443\n\n".utf8)) { scan in
            guard case .complete(let request) = scan else { Issue.record("expected complete"); return }
            #expect(request.knownMethod == .connect)
            #expect(AppFixture.text(request.target) == "web.telegram.org:443")
            #expect(request.host == "web.telegram.org:443")
        }
        HTTPRequestTests.parse(Array("GET / HTTP/1.0\r\n\r\n".utf8)) { scan in
            guard case .complete(let request) = scan else { Issue.record("expected complete"); return }
            #expect(request.hostBytes == nil)
            #expect(Array(request.fields).isEmpty)
        }
        HTTPRequestTests.parse(Array("PROPFIND /d HTTP/1.1\r\nHost:\t x \t\r\nbroken line\r\n folded\r\n\r\n".utf8)) { scan in
            guard case .complete(let request) = scan else { Issue.record("expected complete"); return }
            #expect(request.knownMethod == .other)
            #expect(AppFixture.text(request.method) == "PROPFIND")
            #expect(request.host == "x")
            #expect(Array(request.fields).count == 1)
        }
    }

    @Test("other protocols and broken request lines are not HTTP")
    func notHTTP() {
        let cases: [[UInt8]] = [
            TLSFixtures.protocolVersionAlert,
            Array("SSH-2.0-OpenSSH_9.6\r\n".utf8),
            Array("get / HTTP/1.1\r\n".utf8),
            Array("GET  / HTTP/1.1\r\n".utf8),
            Array("GET / HTTP/1.1 \r\n".utf8),
            Array("GET / HTTPS/1.1\r\n".utf8),
            Array("GET / HTTP/x.1\r\n".utf8),
            Array("GET /\u{1}x HTTP/1.1\r\n".utf8),
            Array("GET / HTTP/1.1\rX".utf8),
            Array("AVERYLONGMETHODNAMEFORSURE / HTTP/1.1\r\n".utf8),
            [0x20, 0x2F],
        ]
        for stream in cases {
            HTTPRequestTests.parse(stream) { scan in
                guard case .notHTTP = scan else {
                    Issue.record("\(String(decoding: stream, as: UTF8.self)) should be notHTTP")
                    return
                }
            }
        }
    }

    @Test("corrupting any byte never crashes")
    func corruption() {
        AppFixture.forEachCorruption(of: HTTPFixtures.manipulatedHost) { bytes in
            if case .complete(let request) = HTTPRequest.parse(bytes) {
                _ = request.host
                _ = request.version
                _ = request.knownMethod
                _ = Array(request.fields).count
            }
        }
    }
}
