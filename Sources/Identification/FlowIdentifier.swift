import Flows
import Wire

/// Names each flow's protocol and service from the evidence its packets carry, strongest first:
/// payload signatures, then server names (TLS SNI, QUIC SNI, HTTP Host), then names learned from
/// DNS answers, then address prefixes, then ports (DESIGN.md §3). Keeps a little state per flow,
/// by flow-table slot, and stops looking at a flow's packets once it knows enough.
public struct FlowIdentifier {
    public let catalog: SignatureCatalog
    /// In-country prefixes (`--domestic`): their servers form the DOMESTIC group.
    public let domestic: PrefixList?
    public private(set) var dns: DNSAssociation
    public private(set) var calls = CallEndpointAssociation()
    /// What all flows' payload buffers may hold together (shared by copies of this identifier).
    public let payloadBudget: PayloadBudget
    var inspections: [FlowInspection?] = []
    /// Per slot: whether that flow's packets still need looking at (`FlowInspection.isActive`),
    /// so the common case, a packet of a flow already identified, costs one byte read.
    var active: [Bool] = []
    /// Catalog answers for names seen lately: flows repeat a few names (every flow to a CDN
    /// carries the same SNI), and a hash lookup costs a fraction of the suffix match.
    var nameMatches: [String: NameMatch?] = [:]
    static let maximumRememberedNames = 8192

    /// Client bytes kept per flow to reassemble a ClientHello (post-quantum ones exceed 1.5 KB).
    static let maximumStreamBytes = 16_384
    /// Server bytes kept per flow for banners and replies the payload recognizers look at.
    static let maximumServerBytes = 256
    /// Payload packets per direction looked at before giving up on a flow.
    static let maximumInspectedPackets = 8
    /// Client Initials that failed to authenticate (nothing decrypted) before a flow's QUIC
    /// inspection stops for good: the keys come from the first Initial's DCID, so when the first
    /// two do not open, later ones will not either.
    static let maximumQUICAuthenticationFailures = 2

    public init(catalog: SignatureCatalog, domestic: PrefixList? = nil, dns: DNSAssociation = DNSAssociation(),
                payloadBudget: PayloadBudget = PayloadBudget()) {
        self.catalog = catalog
        self.domestic = domestic
        self.dns = dns
        self.payloadBudget = payloadBudget
    }

    /// The name of the DOMESTIC group, as flows show it.
    public static let domesticService = ServiceName("domestic")

    /// A new flow: names it at once from the server's address and from DNS, so that a flow that
    /// never gets an answer is still named.
    public mutating func startFlow(slot: Int, originator: Endpoint, responder: Endpoint, protocolNumber: UInt8,
                                   at time: Timestamp) {
        while inspections.count <= slot {
            inspections.append(nil)
            active.append(false)
        }
        // A capture that begins with a server's reply makes the server the originator; well-known
        // ports tell the sides apart again (as Zeek does).
        let swap = originator.port < 1024 && responder.port >= 1024 && protocolNumber != 6
        var inspection = FlowInspection(client: swap ? responder : originator, server: swap ? originator : responder,
                                        protocolNumber: protocolNumber, serverIsOriginator: swap)
        nameFromAddress(&inspection, at: time)
        if protocolNumber == 17 { nameFromCall(&inspection, at: time) }
        active[slot] = inspection.isActive
        inspections[slot] = inspection
    }

    /// A packet of the flow at `slot` (after the flow table placed it).
    public mutating func observe(_ packet: DecodedPacket, slot: Int, fromOriginator: Bool, at time: Timestamp) {
        // Most packets belong to flows already identified: leave before copying any state.
        guard slot < active.count, active[slot] else { return }
        // The table is moved out of `self` for the call (a pointer swap), so the flow's state is
        // updated in place while `inspect` changes the rest of `self` (DNS names, calls): no copy
        // of the state in and out, and its buffers stay uniquely referenced while they grow.
        var table: [FlowInspection?] = []
        swap(&table, &inspections)
        defer { swap(&table, &inspections) }
        guard table[slot] != nil else { return }
        inspect(packet, &table[slot]!, fromOriginator: fromOriginator, at: time)
        active[slot] = table[slot]!.isActive
    }

    mutating func inspect(_ packet: DecodedPacket, _ inspection: inout FlowInspection, fromOriginator: Bool,
                          at time: Timestamp) {
        let fromClient = fromOriginator != inspection.serverIsOriginator
        switch packet.transport {
        case .udp:
            if inspection.isDNS {
                // Every DNS answer is worth reading, however long the flow: it names later flows.
                inspectDNS(packet.payload, &inspection, at: time)
            } else if !inspection.finished, packet.payload.count > 0 {
                inspectUDP(packet.payload, fromClient: fromClient, &inspection, at: time)
            }
        case .tcp(let tcp):
            if !inspection.finished, packet.payload.count > 0 {
                inspectTCP(packet.payload, sequence: tcp.sequenceNumber, fromClient: fromClient, &inspection, at: time)
            }
        default:
            break
        }
    }

    /// The identity of the flow that ended at `slot`; its state is freed.
    public mutating func finish(slot: Int, at time: Timestamp) -> FlowIdentity {
        guard slot < inspections.count, var inspection = inspections[slot].take() else { return FlowIdentity() }
        active[slot] = false
        // A media flow may have begun before the signalling that names its call was understood.
        if inspection.protocolNumber == 17 && inspection.identity.app == nil { nameFromCall(&inspection, at: time) }
        return inspection.identity
    }

    /// Calls (WebRTC/ICE) use one local socket for relay and peer-to-peer candidates: a UDP flow
    /// from an endpoint that a named call's STUN traffic used, or that STUN advertised, joins that call.
    func nameFromCall(_ inspection: inout FlowInspection, at time: Timestamp) {
        if let app = calls.app(for: inspection.client, at: time) ?? calls.app(for: inspection.server, at: time) {
            inspection.offer(app: app, evidence: .stun, confidence: .medium)
        }
    }

    /// `catalog.service(forName:)`, remembered.
    mutating func serviceMatch(forName name: String) -> NameMatch? {
        if let known = nameMatches[name] { return known }
        let match = catalog.service(forName: name)
        if nameMatches.count >= FlowIdentifier.maximumRememberedNames { nameMatches.removeAll(keepingCapacity: true) }
        nameMatches[name] = match
        return match
    }

    // MARK: - Evidence from addresses

    mutating func nameFromAddress(_ inspection: inout FlowInspection, at time: Timestamp) {
        let server = inspection.server
        if let match = catalog.service(for: server.address) {
            // A shared address (one Meta server for WhatsApp, Instagram and Facebook) names only the group.
            inspection.offer(app: match.service, evidence: .ip, confidence: match.isShared ? .low : .medium)
        }
        if let names = dns.names(for: server.address, at: time) {
            for name in names {
                if let match = serviceMatch(forName: name) {
                    let agrees = inspection.identity.app == match.service
                    inspection.offer(app: match.service, evidence: .dns, confidence: agrees ? .high : .medium, serverName: name)
                    break
                }
            }
            if inspection.identity.serverName == nil { inspection.identity.serverName = names.first }
        }
        if inspection.identity.app == nil, let domestic, domestic.contains(server.address) {
            inspection.offer(app: FlowIdentifier.domesticService, evidence: .ip, confidence: .medium)
        }
        if inspection.identity.app == nil {
            let candidates = catalog.services(forPort: server.port, transport: inspection.protocolNumber)
            if candidates.count == 1 { inspection.offer(app: candidates[0], evidence: .port, confidence: .low) }
        }
        if server.port == 53 || server.port == 5353 { inspection.isDNS = true }
    }

    // MARK: - Evidence from payloads

    mutating func inspectDNS(_ payload: UnsafeRawBufferPointer, _ inspection: inout FlowInspection, at time: Timestamp) {
        guard let message = DNSMessage(acceptingTruncation: payload) else { return }
        inspection.identity.applicationProtocol = .dns
        // A lookup of a service's name is an attempt to reach that service (and where DNS
        // tampering shows): the flow is named by the name asked for, once.
        if inspection.identity.serverName == nil, let question = message.question {
            let name = question.name.text
            inspection.identity.serverName = name
            if let match = serviceMatch(forName: name) {
                inspection.offer(app: match.service, evidence: .dns, confidence: .high, serverName: name)
            }
        }
        var observation = inspection.identity.dns ?? DNSObservation()
        if message.isResponse {
            dns.learn(from: message, at: time)
            observation.responses += 1
            let fingerprint = FlowIdentifier.answerFingerprint(message)
            if observation.responseCode == nil {
                observation.responseCode = UInt8(message.header.flags & 0x0F)
                for record in message.answers where observation.answers.count < 8 {
                    if let address = record.address { observation.answers.append(address) }
                }
                inspection.firstAnswer = (message.id, fingerprint)
            } else if let first = inspection.firstAnswer, first.id == message.id, first.fingerprint != fingerprint {
                observation.conflictingResponses = true
            }
        } else {
            observation.queries += 1
        }
        inspection.identity.dns = observation
    }

    /// A cheap digest of a response's code and answer data, to tell two responses apart.
    static func answerFingerprint(_ message: DNSMessage) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(message.header.flags & 0x0F)
        for record in message.answers {
            for byte in record.data {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
        }
        return hash
    }

    mutating func inspectUDP(_ payload: UnsafeRawBufferPointer, fromClient: Bool, _ inspection: inout FlowInspection,
                             at time: Timestamp) {
        inspection.inspectedPackets += 1
        defer {
            if inspection.finished { inspection.payloadState = nil }
            else if let state = inspection.payloadState, !state.settleQUIC() {
                // The budget is spent: this flow's QUIC reassembly goes, it is named from what it had.
                state.quic = nil
                state.quicKeys = []
                _ = state.settleQUIC()
                inspection.finished = true
                inspection.payloadState = nil
            }
        }
        let quicAuthenticationFailures = inspection.payloadState?.quicAuthenticationFailures ?? 0
        if fromClient, quicAuthenticationFailures < FlowIdentifier.maximumQUICAuthenticationFailures,
           inspection.payloadState?.quic != nil || QUICInitialInspector.looksLikeInitial(payload) {
            let state = inspection.makePayloadState(budget: payloadBudget)
            if state.quic == nil { state.quic = QUICInitialInspector(keyCache: state.quicKeys) }
            let result = state.quic!.addClientDatagram(payload)
            switch result {
            case .clientHello(let hello):
                inspection.identity.applicationProtocol = .quic
                state.quic = nil
                state.quicKeys = []
                if let name = hello.serverName { applyName(name, evidence: .quicSNI, &inspection) }
                inspection.finished = true
                return
            case .needMore:
                inspection.identity.applicationProtocol = .quic
            case .notQUIC, .undecryptable:
                if result == .undecryptable(.authenticationFailed) { state.quicAuthenticationFailures += 1 }
                // The next Initial gets a new inspector; the keys derived so far carry over.
                let tryAgain = state.quicAuthenticationFailures < FlowIdentifier.maximumQUICAuthenticationFailures
                state.quicKeys = tryAgain ? state.quic!.keyCache : []
                state.quic = nil
            }
        }
        if let match = PayloadRecognizer.recognizeUDP(payload, fromClient: fromClient,
                                                     clientPort: inspection.client.port, serverPort: inspection.server.port) {
            inspection.apply(match)
            if match.applicationProtocol == .stun {
                // Not every STUN message names its app (the first binding request rarely does):
                // keep looking, and remember the endpoints of a named call for its other flows.
                if let app = inspection.identity.app, inspection.identity.evidence == .stun {
                    calls.remember(inspection.client, app: app, at: time)
                    if let message = STUNMessage(payload) {
                        for advertised in [message.xorMappedAddress, message.xorRelayedAddress, message.xorPeerAddress] {
                            if let a = advertised { calls.remember(Endpoint(address: a.address, port: a.port), app: app, at: time) }
                        }
                    }
                    inspection.finished = true
                }
            } else {
                inspection.finished = true
            }
        }
        if inspection.inspectedPackets >= FlowIdentifier.maximumInspectedPackets { inspection.finished = true }
    }

    mutating func inspectTCP(_ payload: UnsafeRawBufferPointer, sequence: UInt32, fromClient: Bool,
                    _ inspection: inout FlowInspection, at time: Timestamp) {
        inspection.inspectedPackets += 1
        let state = inspection.makePayloadState(budget: payloadBudget)
        let buffered = fromClient ? state.appendClient(payload, sequence: sequence) : state.appendServer(payload, sequence: sequence)
        // Local references to the buffers (no copy) so `inspection` can change while they are read.
        let clientStream = state.clientStream, serverStream = state.serverStream
        if !buffered && fromClient && clientStream.isEmpty {
            // Over budget before anything was kept: the segment at hand is all there is to read
            // (most ClientHellos fit in one).
            serverStream.withUnsafeBytes { server in inspectStreams(client: payload, server: server, &inspection) }
        } else {
            clientStream.withUnsafeBytes { client in
                serverStream.withUnsafeBytes { server in
                    inspectStreams(client: client, server: server, &inspection)
                }
            }
        }
        if !buffered || inspection.inspectedPackets >= 2 * FlowIdentifier.maximumInspectedPackets
            || state.clientStream.count >= FlowIdentifier.maximumStreamBytes {
            inspection.finished = true
        }
        if inspection.finished {
            // The buffers have served their purpose; give the memory back.
            inspection.payloadState = nil
        }
    }

    mutating func inspectStreams(client: UnsafeRawBufferPointer, server: UnsafeRawBufferPointer, _ inspection: inout FlowInspection) {
        guard client.count > 0 else { return }
        // A stream that opens like a TLS handshake record goes to the TLS parser first; payload
        // signatures (MTProto on 443 is not TLS, nor is WhatsApp's chat protocol) cost an AES
        // block each, so they run only when the parser says it is not TLS after all.
        let looksLikeTLS = client.count >= 3 && client[0] == 0x16 && client[1] == 0x03 && client[2] <= 0x04
        if !looksLikeTLS, let match = PayloadRecognizer.recognizeTCP(client: client, server: server,
                                                     clientPort: inspection.client.port, serverPort: inspection.server.port) {
            inspection.apply(match)
            if match.applicationProtocol != .torLikeTLS {
                inspection.finished = true
                return
            }
        }
        switch TLSClientHello.scan(client) {
        case .complete(let hello):
            tlsHello(hello, &inspection)
            return
        case .fragmented(let length):
            var message = [UInt8](repeating: 0, count: length)
            let copied = message.withUnsafeMutableBytes { TLSHandshakeMessage.coalesce(records: client, into: $0) }
            if copied != nil, let hello = message.withUnsafeBytes({ TLSClientHello(handshake: $0).map { ($0.serverName, $0.hasEncryptedClientHello) } }) {
                inspection.identity.applicationProtocol = .tls
                if let name = hello.0 { applyName(name, evidence: .sni, &inspection) }
            }
            inspection.finished = true
            return
        case .needMoreBytes:
            inspection.identity.applicationProtocol = .tls
            return
        case .malformed:
            inspection.identity.applicationProtocol = .tls
            inspection.finished = true
            return
        case .notTLS:
            if looksLikeTLS, let match = PayloadRecognizer.recognizeTCP(client: client, server: server,
                                                                       clientPort: inspection.client.port,
                                                                       serverPort: inspection.server.port) {
                inspection.apply(match)
                inspection.finished = true
                return
            }
        }
        if inspection.awaitingHTTPResponse {
            // The request was read; the response's status line tells a block page (451) apart.
            if server.count >= 12 {
                inspection.identity.httpStatus = FlowIdentifier.httpStatus(server)
                inspection.finished = true
            }
            return
        }
        switch HTTPRequest.parse(client) {
        case .complete(let request):
            inspection.identity.applicationProtocol = .http
            if let host = request.host { applyName(FlowIdentifier.hostWithoutPort(host), evidence: .httpHost, &inspection) }
            inspection.awaitingHTTPResponse = true
            if server.count >= 12 {
                inspection.identity.httpStatus = FlowIdentifier.httpStatus(server)
                inspection.finished = true
            }
        case .needMore:
            if client.count > 8192 { inspection.finished = true }
        case .notHTTP:
            if inspection.server.port == 53 || inspection.client.port == 53 {
                inspection.identity.applicationProtocol = .dns
            }
            if client.count >= PayloadRecognizer.wantedClientBytes { inspection.finished = true }
        }
    }

    mutating func tlsHello(_ hello: TLSClientHello, _ inspection: inout FlowInspection) {
        let torLike = PayloadRecognizer.recognizeClientHello(hello) != nil || inspection.identity.applicationProtocol == .torLikeTLS
        inspection.identity.applicationProtocol = torLike ? .torLikeTLS : .tls
        if let name = hello.serverName { applyName(name, evidence: .sni, &inspection) }
        inspection.finished = true
    }

    /// A server name seen in the flow itself: it names the service if the catalog knows it, and
    /// is kept either way (later stages group unknown destinations by it).
    mutating func applyName(_ name: String, evidence: Evidence, _ inspection: inout FlowInspection) {
        if let match = serviceMatch(forName: name) {
            inspection.offer(app: match.service, evidence: evidence, confidence: evidence.confidence, serverName: name)
        } else if inspection.identity.app == FlowIdentifier.domesticService {
            // DOMESTIC is where the server is, not a guess at the service: an unknown name keeps it.
            inspection.identity.serverName = name
        } else if inspection.identity.evidence == nil || inspection.identity.evidence!.strength < evidence.strength {
            // A name the catalog does not know overrides weaker guesses from addresses or ports.
            inspection.identity.app = nil
            inspection.identity.evidence = nil
            inspection.identity.confidence = nil
            inspection.identity.serverName = name
        }
    }

    /// The status code of "HTTP/1.x NNN ...", or nil.
    static func httpStatus(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 12, bytes.starts(with: Array("HTTP/1.".utf8)), bytes[8] == 0x20 else { return nil }
        var code = 0
        for i in 9..<12 {
            guard bytes[i] >= 0x30, bytes[i] <= 0x39 else { return nil }
            code = code * 10 + Int(bytes[i] - 0x30)
        }
        return code
    }

    static func hostWithoutPort(_ host: String) -> String {
        if host.hasPrefix("[") { return String(host.dropFirst().prefix { $0 != "]" }) }
        if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon { return String(host[..<colon]) }
        return host
    }
}

/// Per-flow identification state: the evidence so far and the first bytes of each side.
struct FlowInspection {
    let client: Endpoint
    let server: Endpoint
    let protocolNumber: UInt8
    /// The capture's first packet came from the server (a reply), so the originator is the server.
    let serverIsOriginator: Bool
    var identity = FlowIdentity()
    var isDNS = false
    var finished = false
    /// Whether packets of this flow still need looking at.
    var isActive: Bool { isDNS || !finished }
    var inspectedPackets = 0
    /// Stream bytes and QUIC decryption, for flows whose payload is being read; nil until then
    /// and again once the flow is finished.
    var payloadState: PayloadInspectionState? = nil
    /// The first DNS response's query ID and answer digest, to spot a second, different answer.
    var firstAnswer: (id: UInt16, fingerprint: UInt64)? = nil
    /// An HTTP request was seen; the flow stays open for the status line of the response.
    var awaitingHTTPResponse = false

    init(client: Endpoint, server: Endpoint, protocolNumber: UInt8, serverIsOriginator: Bool) {
        self.client = client
        self.server = server
        self.protocolNumber = protocolNumber
        self.serverIsOriginator = serverIsOriginator
    }

    /// Takes the evidence if it is stronger than what the flow has.
    mutating func offer(app: ServiceName, evidence: Evidence, confidence: Confidence, serverName: String? = nil) {
        if let current = identity.evidence, current.strength > evidence.strength { return }
        if let current = identity.evidence, current.strength == evidence.strength, identity.app != nil { return }
        identity.app = app
        identity.evidence = evidence
        identity.confidence = confidence
        if let serverName { identity.serverName = serverName }
    }

    mutating func apply(_ match: PayloadMatch) {
        identity.applicationProtocol = match.applicationProtocol
        if let app = match.app { offer(app: app, evidence: match.evidence, confidence: match.evidence.confidence) }
    }

    /// What the flow's payload state holds (read views of `payloadState`).
    var clientStream: [UInt8] { payloadState?.clientStream ?? [] }
    var serverStream: [UInt8] { payloadState?.serverStream ?? [] }
    var quic: QUICInitialInspector? { payloadState?.quic }
    var quicKeys: [QUICInitialKeys] { payloadState?.quicKeys ?? [] }
    var quicAuthenticationFailures: Int { payloadState?.quicAuthenticationFailures ?? 0 }

    @discardableResult
    mutating func appendClient(_ payload: UnsafeRawBufferPointer, sequence: UInt32, budget: PayloadBudget = PayloadBudget()) -> Bool {
        makePayloadState(budget: budget).appendClient(payload, sequence: sequence)
    }

    @discardableResult
    mutating func appendServer(_ payload: UnsafeRawBufferPointer, sequence: UInt32, budget: PayloadBudget = PayloadBudget()) -> Bool {
        makePayloadState(budget: budget).appendServer(payload, sequence: sequence)
    }

    /// The flow's payload state, made on first use, its buffers charged to `budget`.
    mutating func makePayloadState(budget: PayloadBudget) -> PayloadInspectionState {
        if let payloadState { return payloadState }
        let state = PayloadInspectionState(budget: budget)
        payloadState = state
        return state
    }
}

/// What reading a flow's payload needs beyond the evidence: the first bytes of each TCP side,
/// and a QUIC Initial decryptor. Out of line and made on a flow's first payload to read, because
/// the flow table is full of flows that never need it (a DNS exchange, an unanswered SYN) and it
/// is most of a flow's identification state: inline, it made every slot 368 bytes instead of 192.
final class PayloadInspectionState {
    /// Where this flow's buffers are charged; what is charged goes back when the state is freed.
    let budget: PayloadBudget
    private var chargedStreams = 0
    private var chargedQUIC = 0
    private var cutShort = false
    var clientStream: [UInt8] = []
    var serverStream: [UInt8] = []
    var clientNextSequence: UInt32? = nil
    var serverNextSequence: UInt32? = nil
    var quic: QUICInitialInspector? = nil
    /// QUIC keys derived for this flow, for the next inspector (see `QUICInitialInspector.keyCache`).
    var quicKeys: [QUICInitialKeys] = []
    var quicAuthenticationFailures = 0

    init(budget: PayloadBudget) {
        self.budget = budget
    }

    deinit {
        budget.release(chargedStreams + chargedQUIC)
    }

    /// Appends in-order client payload; a gap ends reassembly (the bytes so far stay usable).
    /// False when the budget refused the bytes.
    func appendClient(_ payload: UnsafeRawBufferPointer, sequence: UInt32) -> Bool {
        append(payload, sequence: sequence, to: &clientStream, next: &clientNextSequence, limit: FlowIdentifier.maximumStreamBytes)
    }

    func appendServer(_ payload: UnsafeRawBufferPointer, sequence: UInt32) -> Bool {
        append(payload, sequence: sequence, to: &serverStream, next: &serverNextSequence, limit: FlowIdentifier.maximumServerBytes)
    }

    /// Charges the QUIC inspector's and carried keys' memory as it is now (it grew or shrank inside
    /// a call); false when that takes the budget past its limit.
    func settleQUIC() -> Bool {
        let now = (quic?.retainedBytes ?? 0) + quicKeys.count * QUICInitialKeys.estimatedBytes
        if now < chargedQUIC { budget.release(chargedQUIC - now) } else { budget.force(now - chargedQUIC) }
        chargedQUIC = now
        if budget.isSpent && now > 0 { refuse(); return false }
        return true
    }

    private func refuse() {
        if !cutShort { budget.flowsCutShort += 1 }
        cutShort = true
    }

    private func append(_ payload: UnsafeRawBufferPointer, sequence: UInt32, to stream: inout [UInt8],
                        next: inout UInt32?, limit: Int) -> Bool {
        let needed = Swift.min(limit, stream.count + payload.count)
        if needed > stream.capacity {
            // Grow as the array would (doubling), but charge the budget first.
            let wanted = Swift.min(limit, Swift.max(needed, 2 * stream.capacity, 512))
            guard budget.take(wanted - stream.capacity) else { refuse(); return false }
            let before = stream.capacity
            stream.reserveCapacity(wanted)
            budget.force(stream.capacity - wanted)   // what the allocator rounded up
            chargedStreams += stream.capacity - before
        }
        PayloadInspectionState.append(payload, sequence: sequence, to: &stream, next: &next, limit: limit)
        return true
    }

    static func append(_ payload: UnsafeRawBufferPointer, sequence: UInt32, to stream: inout [UInt8],
                       next: inout UInt32?, limit: Int) {
        var bytes = payload
        if let expected = next {
            let delta = Int32(bitPattern: sequence &- expected)
            if delta > 0 { return }                              // a gap: wait for nothing, keep what we have
            if -Int(delta) >= bytes.count { return }             // a retransmission of bytes we have
            bytes = UnsafeRawBufferPointer(rebasing: bytes[(-Int(delta))...])   // partly new
        }
        let room = limit - stream.count
        guard room > 0 else { return }
        let take = Swift.min(room, bytes.count)
        stream.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
        next = sequence &+ UInt32(truncatingIfNeeded: payload.count)
    }
}
