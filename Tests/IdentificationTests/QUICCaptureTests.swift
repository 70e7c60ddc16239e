import Foundation
import Testing
@testable import Identification

/// Client Initial datagrams (UDP payloads) from the nDPI test captures in ../shared/corpus/ndpi/pcap/,
/// extracted with `tshark -r F -Y "frame.number==N" -T fields -e udp.payload`; the expected names
/// are tshark's own decryption (`-e tls.handshake.extensions_server_name`, `_alpn_str`,
/// `tls.handshake.extension.type`).
enum QUICCaptureFixtures {
    /// quic_frags_ch_out_of_order_same_packet_craziness.pcapng #1: Chrome, draft-29 (0xff00001d),
    /// DCID 465dca5c15bf2d3b, a 329-byte ClientHello in 11 CRYPTO frames sent out of order in one
    /// packet, with PING and PADDING between them. SNI update.googleapis.com, ALPN h3-29.
    static let chromeDraft29OutOfOrder = QUICTestBytes.hex("""
        caff00001d08465dca5c15bf2d3b00004534632e21d96eecfeb94b79f2066109ebcd4d6ec7cc7558717d3f64d130cfee320ae4d6893995df7de3be2c1f3088b2
        605a00130142ec1a8df88eca9175dcb74ebd46e7cbab0a6e73ec8909d6751cb7e16cd80c851259b140fff172640b96761550ad8e9beb2e8b375f67d3f4f28b04
        1969180e8fd0da87457964468046926b0d8f66fbd58058bd44e5f974019079a15ae97d1a7053eef67531e34eb75ecd92eb1b4cb82d4649578645496fdb39335e
        ca261e78bcecb3b302334a3b933fc006696cbd24d7949df559d4ef7057ca65af84aececc5fabeb32b7982032c3fedb3e763aadde87a90443c7d6d270c9b4b217
        acce52671465236344debaabb3643a3c4816c51f2fabd221fb34f64179cea82dfaca4bde77cc9261046c813b61be9545af1aa8ef1b62b90c5b27db15b3c12811
        2e0f0bf15c7aca1c1c709d6ef4ac8b2e9c4cd748649f657b6db24087237e9a4243c411f31aa280962c3ec5dde93bbd07d817d50178fdd42270f5fdf60e28ac97
        961f1fd5785fe59b5383fb741ffad8b222a3b7fb5b37ee1c39f1e66ff3db26e2c08abac6b4c44eba0e38b6e0d03438139d660041e5c81ab8a64badfe25ed719f
        c8acf083262015498272ad05672b9293171b8a8879d9ce8753d4dd0f7ff68b4542798fa6c55e96e06b9218271383effa337b301f4c2ac185d2c482d6b3b11445
        030b566772b285da92c342009d4ec08393f09c7212783372874bdc825111d34e7c2d66d678e816b5d3b2bafc2faf0c72cb1f4020b627b5a71ec40f0b013f5485
        714f34f004506fc6c62c239e9f6db9d6c81fb36d8b0b462c7b064e3095b708eb0c4fb5530100b83c54addc9820d79e4ee5230e05e8cab331633f4b2c2d3438e6
        794c7a086f2a6cc8fb37cd14efa4999c61172c6a3e5ae0755e162ab7484594782035cc8a20695a80a592e33d29c9be4dcb4af213c3045a31eceaa97417479204
        55ce0824355105502240a32eecb729c8c9ee46fdcd0f3ba68ad8abc6027fb7c886e72503be18597e0f3cd3439fb39ef24a96bac76d9274438b3a57c10feec5c4
        82cd63ac6ab208623dc176d2a3ff3015a9a5a78a2e155841a98650e86a272f070cd812f612a716d46aee99cc52ae972d2106ccf8c2cce539999c332974c66992
        4cd9d8788c1f57b87c3810eb283b19bab5a1200fecf98fa8e75a1f7a570ea204fb42b237ae7a65d6986f4656e6a571559ff28250520834d372ffa889965dcc8e
        1c1fc0e0f409d3221198b3dec80119f33e7707a92f7ce2c79526c55edd0173964abb3d6ffecbcefb3ff6c503fb229f6f2e2d65fb7772b72147a0b933c75d6167
        064f74bc43e8570518ca3f400a977158b600cec84cf1427f5b8f77d7078bfbd638e493f9dc202f21419773258f11b03f1d49728b3b3e81f6e8bb373a9e3b620a
        74853622a2c4c9c377a1a7048922ffa9c329c8b0c4f0939a08190e32914a4851d1fa27d6764ed383b2f863e348aab2b88e88e7efeacfef3b5bc96bb5d3675753
        1382aa815d78501a496862388e38eec7af67ae30fc7f0fc654066ce3125d50d2fc9b839562cc07081448ad57aef69bdb41c899d95429aa3aa1d2b10c92b479af
        5ed707c06dc59a028b96a0c42cd27cade7f0d41725b729a21694d41d7ba322ada6ff6479971129dc8669834ca426a1e600ff31d4340fd4efa0a6791e64c9419f
        bb198316d2e62e3ae0e34ee1a89d4a918412ce3861d672ff43cb357bdb82885237b3524a5bbfdce0526530a37c43a43d1bbd7ddddbf7c232954e1220eccd0dc7
        2e95404aac21dbe6226a2b71ca5a582e931750430cf09fd4bb6a535063bd1db25f6f505efa44f30beacb4dbb665bfbf658c6a689645bb714ebeb61c5c460a66e
        5cc2fc15e745
        """)

    /// quic-mvfst-22.pcap #1: Facebook's mvfst, version 0xfaceb001 (draft-22 salt), DCID
    /// 56de054b498059dc. SNI graph.facebook.com, ALPN h3-fb-05,h1q-fb.
    static let mvfstDraft22 = QUICTestBytes.hex("""
        c9faceb0010856de054b498059dc000044be8251ec2ba3bf3aaec8ab1ba729ad67dd716ff1e54476b3bf6ee6762cc015101d8dc960a0ea17cee843febcb54b99
        fb644b53c942a565ecbfbb97b048e3cd8aa63e287d3f499ce434c44138572b37478a705e23dcd65309c77d915fdcca626f99d5f6cc3b26b28bbcd4d2afa2eb73
        9ac98ad80f78d2b7e56fbfb04cc8880c276c8144c2f80af976edd9103b2d363cacbd8496f853d21a93267d8f126f2541bab5f07f2c9654697db3f31685b7e27a
        94463700e8f55a00711ce63bf31490725d1c7c068948829c03d567e2cbff7e23c02a29746b9848c7a4173368e2bf8bc54aa7204073e18dbc659a4b02503ef5f8
        170496f4f1d3db289ac7a3a53117397e43ba6893bbe466a31cc03f169dff2a07526a55b49c129e3934cf0953a063ba4833e710e0e762ddcb22f1d1b31ee69c51
        312d69ebfb24077d814278b34c72d18664132e6c2c78823b74e3c39682e46f335f2e775c70de24624b9adecfc38c2487dc3274656e7240e0cc8e85649651bb98
        c0a1d70598cd25202b803a44b2c50054110e650a670559d70c6b2a7535f3d1e335cbb9a77a7328898a9078c9cd3010f2b6ead12a310089580f133399f02b9f82
        060431f9c01c2b8ec05d3882faa9953aeb65628e48da5d40d785ad1b1693bcb545b20ac376fc8d6393cc0ff7c27a1c53b2c222a2e98c10e1798c3e60a2ff412b
        4d8ef71fe3ad900d3d9f313133776a85504e7f1c876f8050a3af5d500187f349af5c685e28aebc52b4c1413302eb9e088f12834ada82f58b14afa9c0c7d5e0ab
        c9acbeb9f6c27e0b69f66376d5c3fd6d2d5fa7e28eb497518e4f96c08ae72c4ef214bda43e5e18d6e6fc21cfb40e004ec3152b61ad254aaeb5d62c4baaf80155
        51ea91596c9b2e45cd896de272b0033684f94325552b1ed32e5c88ff50623ecf814390b184492ce767501d676f570b215cc84acafd98439ce19fd5e7241fc742
        5ee0a667ac16e74f1ab33c999cce2a0f9c4a96237492250be26f37ea7eda29a61a7af58608be69e0c10f5ba2a4bc9eeff467dd05e2d5eb5e512a565932b7ccf7
        e3938226178a337e4ede0d7e82d0e05deb3d2253aad1564759cd71598032bb77b9958a6cf466b01e0ced4ca7790e1ea9848b40afb5897630bb139f87c340e393
        e8d1d903cd004c9736f0455987430922aa08bd045b893cbb8e8c9212e46280ff5392e211a881e584ae197f07643244c1d38f3c459c4f68649e3503890232eedb
        847811e4671972df2f6bf13b521270250c66c1545013f83235b14ee27d91ca39e96768d6f3257dbd26a70b7c91fa39d142d37e462fc414d6fbe4d7da9b19fb58
        dc305fe8424086b0b2106f13ebc9ebe26a72355a279034b3acc875a858c865cc055e381658cebec317eb23b101e473a05b41f6454fbc8c157c6d3029d1c61410
        85bcdc096148818985a378873a3841b890fcd10a48be15e8703baf6cb7410bbb5908867ae856ce27870bfadef8d3aa998f1467635bb5ce7677d2b6e6040a13b0
        57361ab6cec8ee2212c999eec1048ef946512a17f71a9a32d572aba8b4f80b529eee5c8ca89b3d339a4ac21a21b1cb81e59254c2704d5ab2161a5d903ff475f7
        f4f8faa81f962a09737e26e1fa574d597701efd45a1c10b713bac6c284493398e468c12458b255a693ee6595170f408b659e5222dbec4e62750f90398b79655c
        d2c5136ab87332ec3db7b916deebdadd
        """)

    /// sites.pcapng #656: v1 over IPv6, a 9-byte DCID ed82a230e3e0f35c6f, SCID 0e3578.
    /// SNI www.threads.net, ALPN h3, encrypted_client_hello (0xfe0d) present.
    static let threadsV1WithECH = QUICTestBytes.hex("""
        cf0000000109ed82a230e3e0f35c6f030e357800428786e5279dfeda0acaa327a9fdbb3b0a6b3303977e94de581e8ccc0c8c5702842a3653fe1e825f3811380f
        e743f23674168fb97634d5ffa292763fab96c3e3e110d20133cb09fcd807ab45606c9b600f0dee7b3f3f30069913f725d5307f73c090cb374735a6920d818e01
        05b07927c8cc0bd60cff616dd621d3bcb0865185ba883edf63ebb6ce4c406d56c2286b3e58b950b81507ceb93f1765e16fee597e2d204b1a3aaf72214662920b
        6220dfe5276331595f3b20c00b2ffd31027018fa85445abb88f237797b21167a4f03350579de52f99d0b8cbb7ca5d7203a3f10e7cdc7ea8a29fe15775d1c8dcc
        735e6e81e3ab0c52e5f76fdbd0ef37740312e16ae03e5ea7071c6ffe8b3bd1f27da4dd3d681ca2dcc25a8d4ed660989fac02f981b8cd0a5e871903e1df0e6421
        88cc004fb879aff226cf64e76213bbdbf0b22efd3c94a25c55fad7cb8afb68f0e6d38e5d054e2bfb9dbb9d39bcd01f9107df7af545e89043af9877ac18114d6e
        86526008adb3f3611e80797cb15de4e8b04c72f306a23dafbff23f3035e161e36ae3f2611581da7e9af803b283f7bc1a738210b7ba954d7f53e7930acbffca6e
        5cf92be01b3e0e50bc15d24a4aee6168f85daa0a972bab0a480413b5ab9257fa78b333652fafd43cc5942eacd85d71661bfcaa9de314b7a1b4674273c68bc7c7
        ce5dbd047c76b8103afa3c329fd2520c136f6c1ad1e34cc2af92ca73aba544c5fa3c46c9a3637b0580d279d8e576a423d5c1696846c6a3a34717e5b08b08c4d3
        7df1550cbd116edd8976ddb12aef4439355aad88ea0cfe0de69ba6e736729c3ea89994201e4b7b08b70af50ba4d704fc4e91a3b700c62e8d6146cad56bf26a65
        cebd3b03d38d3142c312572e3d4873066d03a11e5e70492fd2ddeb1d7a0000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        """)
}

@Suite("QUIC Initials from real captures")
struct QUICCaptureTests {
    @Test("Chrome draft-29: 11 CRYPTO frames out of order in one packet reassemble to the hello")
    func chromeDraft29() {
        var inspector = QUICInitialInspector()
        #expect(QUICCaptureFixtures.chromeDraft29OutOfOrder.withUnsafeBytes { QUICInitialInspector.looksLikeInitial($0) })
        #expect(inspector.add(QUICCaptureFixtures.chromeDraft29OutOfOrder) == .clientHello(QUICClientHelloSummary(
            version: .draft(0xFF00_001D), serverName: "update.googleapis.com", alpn: ["h3-29"],
            hasEncryptedClientHello: false, originalDestinationConnectionID: QUICTestBytes.hex("465dca5c15bf2d3b"))))
    }

    @Test("mvfst 0xfaceb001 decrypts with the draft-22 salt")
    func mvfst() {
        var inspector = QUICInitialInspector()
        #expect(inspector.add(QUICCaptureFixtures.mvfstDraft22) == .clientHello(QUICClientHelloSummary(
            version: .draft(0xFACE_B001), serverName: "graph.facebook.com", alpn: ["h3-fb-05", "h1q-fb"],
            hasEncryptedClientHello: false, originalDestinationConnectionID: QUICTestBytes.hex("56de054b498059dc"))))
    }

    @Test("v1 with a 9-byte DCID and an encrypted_client_hello extension")
    func threadsWithECH() {
        var inspector = QUICInitialInspector()
        #expect(inspector.add(QUICCaptureFixtures.threadsV1WithECH) == .clientHello(QUICClientHelloSummary(
            version: .v1, serverName: "www.threads.net", alpn: ["h3"], hasEncryptedClientHello: true,
            originalDestinationConnectionID: QUICTestBytes.hex("ed82a230e3e0f35c6f"))))
    }

    // MARK: Differential against tshark

    /// The corpus beside the project root (`../shared/corpus/ndpi/pcap`), found from this file.
    static let corpus: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus/ndpi/pcap")

    static let tshark: String? = ["/usr/bin/tshark", "/usr/local/bin/tshark", "/opt/homebrew/bin/tshark"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var canCompare: Bool {
        tshark != nil && FileManager.default.fileExists(atPath: corpus.appendingPathComponent("quic.pcap").path)
    }

    /// The corpus captures holding QUIC: IETF QUIC (v1, draft-29, mvfst) and Google QUIC.
    static let files = ["quic_frags_ch_out_of_order_same_packet_craziness.pcapng", "quic-mvfst-22.pcap", "sites.pcapng",
                        "snapchat_call_v1.pcapng", "quic.pcap", "youtubeupload.pcap", "telegram.pcap", "wechat.pcap"]

    /// One UDP flow as tshark sees it: the client's datagrams in order, and the SNI tshark
    /// decrypted from them (nil when it found none).
    struct TsharkFlow {
        var client: String
        var datagrams: [[UInt8]] = []
        var serverName: String?
        var isGoogleQUIC = false
    }

    static func tsharkFlows(_ file: String) throws -> [Int: TsharkFlow] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark!)
        process.arguments = ["-r", corpus.appendingPathComponent(file).path, "-Y", "quic || gquic", "-T", "fields",
                             "-E", "occurrence=f", "-e", "udp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "udp.srcport",
                             "-e", "udp.payload", "-e", "tls.handshake.extensions_server_name", "-e", "gquic.puflags"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read before waiting: the output is larger than a pipe's buffer.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var flows: [Int: TsharkFlow] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 7, let stream = Int(fields[0]) else { continue }
            let source = (fields[1].isEmpty ? fields[2] : fields[1]) + ":" + fields[3]
            var flow = flows[stream] ?? TsharkFlow(client: source)
            guard flow.client == source else { continue }
            flow.datagrams.append(QUICTestBytes.hex(fields[4]))
            if flow.serverName == nil, !fields[5].isEmpty { flow.serverName = fields[5] }
            if !fields[6].isEmpty { flow.isGoogleQUIC = true }
            flows[stream] = flow
        }
        return flows
    }

    @Test("every QUIC flow in the corpus: the SNI from the client's Initials equals tshark's",
          .enabled(if: QUICCaptureTests.canCompare, "needs tshark and ../shared/corpus"),
          arguments: QUICCaptureTests.files)
    func agreesWithTshark(file: String) throws {
        let flows = try Self.tsharkFlows(file)
        #expect(!flows.isEmpty)
        for (stream, flow) in flows.sorted(by: { $0.key < $1.key }) {
            var inspector = QUICInitialInspector()
            var result = QUICInspection.needMore
            for datagram in flow.datagrams where !result.isFinal { result = inspector.add(datagram) }
            switch (flow.serverName, result) {
            case (let name?, .clientHello(let hello)) where !flow.isGoogleQUIC:
                #expect(hello.serverName == name, "\(file) stream \(stream)")
            case (_, .notQUIC) where flow.isGoogleQUIC, (_, .undecryptable(.unsupportedVersion)) where flow.isGoogleQUIC:
                break   // Google QUIC: its CHLO is plaintext, not an IETF Initial
            case (nil, let other) where !flow.isGoogleQUIC:
                // tshark found no name either (a flow seen from its middle): BlockWatch must not invent one.
                if case .clientHello(let hello) = other { #expect(hello.serverName == nil, "\(file) stream \(stream)") }
            default:
                Issue.record("\(file) stream \(stream): tshark \(flow.serverName ?? "-"), BlockWatch \(result)")
            }
        }
    }
}
