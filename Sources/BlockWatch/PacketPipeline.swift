import Capture
import Flows
import Identification
import Reports
import Wire

/// Capture → Wire → Flows → Identification for one run: decodes each captured packet,
/// reassembles fragments, tracks and identifies flows, and accounts for every packet. Each flow
/// that ends goes to `emit` with its identity.
public struct PacketPipeline {
    /// Decoders by link type: a packet is decoded by its own link type's (a pcapng's interfaces
    /// can differ). Built for the link types known up front, extended when a new one turns up.
    var decoders: LinkTypeDecoders
    public private(set) var flows: FlowTable
    public private(set) var identifier: FlowIdentifier
    var reassembler = FragmentReassembler()
    public private(set) var summary = CaptureSummary()
    var lastFragmentExpiry = Timestamp(nanoseconds: .min)
    var notIPCounts: [UInt16: Int] = [:]

    /// Whether flows are identified (`--no-identify` skips it, for raw flow export).
    let identifies: Bool

    /// A source none of whose link types BlockWatch decodes is an error naming the file. With
    /// `describedLinkTypes` (a reader's: every interface of a pcapng), a source some of whose
    /// link types are decoded is read, and packets of the others count as `unsupported_link_type`.
    public init(sources: [String], linkTypes: [LinkType], describedLinkTypes: [[LinkType]]? = nil,
                configuration: FlowTableConfiguration, catalog: SignatureCatalog, domestic: PrefixList? = nil,
                identify: Bool = true) throws(BlockWatchError) {
        var decoders = LinkTypeDecoders()
        for (index, (source, linkType)) in zip(sources, linkTypes).enumerated() {
            let known = describedLinkTypes.map { $0[index] } ?? [linkType]
            var anyDecoded = false
            for type in known where decoders.decoder(for: type) != nil { anyDecoded = true }
            if !anyDecoded { throw .unsupportedLinkType(source: source, linkType: known.first ?? linkType) }
        }
        self.decoders = decoders
        self.flows = FlowTable(configuration: configuration)
        self.identifier = FlowIdentifier(catalog: catalog, domestic: domestic)
        self.identifies = identify
        summary.files = sources
    }

    /// Handles one captured packet; records of flows that ended meanwhile go to `emit`.
    public mutating func process(_ packet: borrowing CapturedPacket, emit: (FlowRecord, FlowIdentity) -> Void) {
        let time = Timestamp(nanoseconds: packet.timestampNanoseconds)
        summary.packets &+= 1
        if summary.firstPacket == nil { summary.firstPacket = time }
        if let last = summary.lastPacket, time < last {
            summary.timestampsBackwards &+= 1
        } else {
            summary.lastPacket = time
        }
        guard let decoder = decoders.decoder(for: packet.linkType) else {
            // A link type BlockWatch does not decode, in a file whose other interfaces it does.
            summary.issues.record(.unsupportedLinkType)
            summary.undecodable &+= 1
            return
        }
        switch decoder.decode(packet.bytes, originalLength: packet.originalLength) {
        case .packet(let decoded):
            if let note = decoded.note { summary.issues.record(note) }
            track(decoded, at: time, emit: emit)
        case .fragment(let fragment):
            addFragment(fragment, decoder: decoder, at: time, emit: emit)
        case .notIP(let etherType):
            summary.notIP &+= 1
            let raw: UInt16
            switch etherType {
            case .arp: raw = 0x0806
            case .unknown(let value): raw = value
            default: raw = 0
            }
            notIPCounts[raw, default: 0] &+= 1
        case .malformed(let issue):
            summary.issues.record(issue)
            summary.undecodable &+= 1
        }
    }

    mutating func addFragment(_ fragment: IPFragment, decoder: PacketDecoder, at time: Timestamp,
                              emit: (FlowRecord, FlowIdentity) -> Void) {
        // Give up on stale datagrams about once a second of packet time.
        if time.nanoseconds &- lastFragmentExpiry.nanoseconds > 1_000_000_000 {
            reassembler.expire(now: time)
            lastFragmentExpiry = time
        }
        guard let datagram = reassembler.add(fragment, at: time) else { return }
        datagram.withPayload { payload in
            // Decode and track while the payload bytes are borrowed.
            switch decoder.decodeTransport(network: datagram.header, payload, declaredLength: payload.count,
                                           cut: datagram.snaplenCut) {
            case .packet(let decoded):
                if let note = decoded.note { summary.issues.record(note) }
                track(decoded, at: time, emit: emit)
            case .malformed(let issue):
                summary.issues.record(issue)
                summary.undecodable &+= 1
            case .fragment, .notIP:
                summary.undecodable &+= 1
            }
        }
        reassembler.recycle(datagram)
    }

    /// Places a decoded packet in its flow and lets identification look at it.
    mutating func track(_ packet: DecodedPacket, at time: Timestamp, emit: (FlowRecord, FlowIdentity) -> Void) {
        let observation = flows.observe(packet, at: time)
        summary.inFlows &+= 1
        // Flows that ended on the way (their slot may be reused right now) go out first.
        if !flows.ended.isEmpty { emitEnded(emit) }
        guard identifies else { return }
        if observation.isNewFlow, let flow = flows.endpoints(at: observation.slot) {
            identifier.startFlow(slot: observation.slot, originator: flow.originator, responder: flow.responder,
                                 protocolNumber: flow.protocolNumber, at: time)
        }
        if !observation.isICMPError {
            identifier.observe(packet, slot: observation.slot, fromOriginator: observation.fromOriginator, at: time)
        }
    }

    mutating func emitEnded(_ emit: (FlowRecord, FlowIdentity) -> Void) {
        flows.drainEnded { record in emit(record, identifier.finish(slot: record.slot, at: record.lastSeen)) }
    }

    /// Live mode, without a packet: moves the flow clock to `time`; flows idle by then go to `emit`.
    public mutating func advance(to time: Timestamp, emit: (FlowRecord, FlowIdentity) -> Void) {
        flows.advance(to: time)
        emitEnded(emit)
    }

    /// Live mode: the flows still open that began in `range`, each with its identity so far. Their
    /// identification ends here (what names a flow comes in its first packets); the flows go on.
    public mutating func takeOpenFlows(startedIn range: Range<Timestamp>, at time: Timestamp) -> [(FlowRecord, FlowIdentity)] {
        flows.openRecords(startedIn: range).map { ($0.record, identifier.finish(slot: $0.slot, at: time)) }
    }

    /// Ends the run: every open flow is written out and held fragments are counted as incomplete.
    public mutating func finish(emit: (FlowRecord, FlowIdentity) -> Void) {
        // In batches, each written before the next is made: not a record for every open flow at once.
        flows.finish { batch in
            for record in batch { emit(record, identifier.finish(slot: record.slot, at: record.lastSeen)) }
        }
        reassembler.finish()
        summary.issues.add(reassembler.issues)
        // Fragments that never became a datagram are lost to flows: count them by their issue.
        for issue in DecodeIssue.allCases where issue.isFatal {
            summary.undecodable &+= reassembler.issues[issue]
        }
        summary.fragmentsMerged = reassembler.fragmentsMerged
        summary.flows = flows.statistics.flowsCreated
        summary.flowTable = flows.statistics
        summary.dnsNamesEvicted = identifier.dns.evicted
        summary.callEndpointsEvicted = identifier.calls.evicted
        summary.payloadFlowsCutShort = identifier.payloadBudget.flowsCutShort
        summary.bounds = CaptureSummary.Bounds(flows: flows.configuration.maximumFlows,
                                               fragmentDatagrams: reassembler.maximumDatagrams,
                                               dnsNames: identifier.dns.maximumEntries,
                                               callEndpoints: identifier.calls.maximumEntries,
                                               payloadBytes: identifier.payloadBudget.limit)
        for (raw, count) in notIPCounts {
            let name = raw == 0x0806 ? "arp" : "ethertype 0x" + String(raw, radix: 16)
            summary.notIPByType[name, default: 0] += count
        }
    }
}
