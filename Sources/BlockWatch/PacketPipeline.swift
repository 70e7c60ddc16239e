import Capture
import Flows
import Reports
import Wire

/// Capture → Wire → Flows for one run: decodes each captured packet, reassembles fragments,
/// tracks flows and accounts for every packet. Later stages (identification, detection) hang
/// off `emit` and the observations it returns.
public struct PacketPipeline {
    let decoders: [PacketDecoder]
    public private(set) var flows: FlowTable
    var reassembler = FragmentReassembler()
    public private(set) var summary = CaptureSummary()
    var lastFragmentExpiry = Timestamp(nanoseconds: .min)
    var notIPCounts: [UInt16: Int] = [:]

    /// One decoder per source, chosen by its link type; an unsupported link type is an error
    /// naming the file.
    public init(sources: [String], linkTypes: [LinkType], configuration: FlowTableConfiguration) throws(BlockWatchError) {
        var decoders: [PacketDecoder] = []
        for (source, linkType) in zip(sources, linkTypes) {
            guard let layer = LinkLayer(dataLinkType: linkType.rawValue) else {
                throw .unsupportedLinkType(source: source, linkType: linkType)
            }
            decoders.append(PacketDecoder(linkLayer: layer))
        }
        self.decoders = decoders
        self.flows = FlowTable(configuration: configuration)
        summary.files = sources
    }

    /// Handles one captured packet; records of flows that ended meanwhile go to `emit`.
    public mutating func process(_ packet: borrowing CapturedPacket, emit: (FlowRecord) -> Void) {
        let time = Timestamp(nanoseconds: packet.timestampNanoseconds)
        summary.packets &+= 1
        if summary.firstPacket == nil { summary.firstPacket = time }
        if let last = summary.lastPacket, time < last {
            summary.timestampsBackwards &+= 1
        } else {
            summary.lastPacket = time
        }
        switch decoders[packet.sourceIndex].decode(packet.bytes, originalLength: packet.originalLength) {
        case .packet(let decoded):
            if let note = decoded.note { summary.issues.record(note) }
            _ = flows.observe(decoded, at: time, emit: emit)
            summary.inFlows &+= 1
        case .fragment(let fragment):
            addFragment(fragment, decoder: decoders[packet.sourceIndex], at: time, emit: emit)
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
                              emit: (FlowRecord) -> Void) {
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
                _ = flows.observe(decoded, at: time, emit: emit)
                summary.inFlows &+= 1
            case .malformed(let issue):
                summary.issues.record(issue)
                summary.undecodable &+= 1
            case .fragment, .notIP:
                summary.undecodable &+= 1
            }
        }
        reassembler.recycle(datagram)
    }

    /// Ends the run: every open flow is written out and held fragments are counted as incomplete.
    public mutating func finish(emit: (FlowRecord) -> Void) {
        flows.finish(emit: emit)
        reassembler.finish()
        summary.issues.add(reassembler.issues)
        // Fragments that never became a datagram are lost to flows: count them by their issue.
        for issue in DecodeIssue.allCases where issue.isFatal {
            summary.undecodable &+= reassembler.issues[issue]
        }
        summary.fragmentsMerged = reassembler.fragmentsMerged
        summary.flows = flows.statistics.flowsCreated
        summary.flowTable = flows.statistics
        for (raw, count) in notIPCounts {
            let name = raw == 0x0806 ? "arp" : "ethertype 0x" + String(raw, radix: 16)
            summary.notIPByType[name, default: 0] += count
        }
    }
}
