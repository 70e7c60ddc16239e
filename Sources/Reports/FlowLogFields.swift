import Flows
import Identification
import Wire

/// One value of a flow record's field, kept typed until a format decides how to spell it.
enum FieldValue {
    case text(String)
    case count(Int)
    /// A number already spelled out (time, interval).
    case decimal(String)
    case bool(Bool)
    case unset
}

/// A column of the flow log: its Zeek name and type, and how to read it from a record.
struct FlowLogField {
    let name: String
    let zeekType: String
    let value: @Sendable (FlowRecord, FlowIdentity) -> FieldValue
}

/// The conn.log fields, in Zeek's order, then BlockWatch's own.
enum FlowLogFields {
    static let all: [FlowLogField] = zeek + blockwatch

    static let zeek: [FlowLogField] = [
        FlowLogField(name: "ts", zeekType: "time") { r, _ in .decimal(TimeFormatting.epochSeconds(r.start)) },
        FlowLogField(name: "uid", zeekType: "string") { r, _ in .text(r.uid) },
        FlowLogField(name: "id.orig_h", zeekType: "addr") { r, _ in .text(r.originator.address.description) },
        FlowLogField(name: "id.orig_p", zeekType: "port") { r, _ in .count(Int(r.originator.port)) },
        FlowLogField(name: "id.resp_h", zeekType: "addr") { r, _ in .text(r.responder.address.description) },
        FlowLogField(name: "id.resp_p", zeekType: "port") { r, _ in .count(Int(r.responder.port)) },
        FlowLogField(name: "proto", zeekType: "enum") { r, _ in .text(r.transport.description) },
        FlowLogField(name: "service", zeekType: "string") { _, id in id.applicationProtocol.map { .text($0.rawValue) } ?? .unset },
        FlowLogField(name: "duration", zeekType: "interval") { r, _ in
            r.duration.nanoseconds > 0 ? .decimal(TimeFormatting.seconds(r.duration)) : .unset
        },
        FlowLogField(name: "orig_bytes", zeekType: "count") { r, _ in .count(r.originatorCounters.payloadBytes) },
        FlowLogField(name: "resp_bytes", zeekType: "count") { r, _ in .count(r.responderCounters.payloadBytes) },
        FlowLogField(name: "conn_state", zeekType: "string") { r, _ in .text(r.connectionState.rawValue) },
        FlowLogField(name: "local_orig", zeekType: "bool") { _, _ in .unset },
        FlowLogField(name: "local_resp", zeekType: "bool") { _, _ in .unset },
        FlowLogField(name: "missed_bytes", zeekType: "count") { _, _ in .count(0) },
        FlowLogField(name: "history", zeekType: "string") { r, _ in r.history.isEmpty ? .unset : .text(r.history) },
        FlowLogField(name: "orig_pkts", zeekType: "count") { r, _ in .count(r.originatorCounters.packets) },
        FlowLogField(name: "orig_ip_bytes", zeekType: "count") { r, _ in .count(r.originatorCounters.ipBytes) },
        FlowLogField(name: "resp_pkts", zeekType: "count") { r, _ in .count(r.responderCounters.packets) },
        FlowLogField(name: "resp_ip_bytes", zeekType: "count") { r, _ in .count(r.responderCounters.ipBytes) },
        FlowLogField(name: "tunnel_parents", zeekType: "set[string]") { _, _ in .unset },
    ]

    static let blockwatch: [FlowLogField] = [
        FlowLogField(name: "rtt", zeekType: "interval") { r, _ in
            r.handshakeRoundTrip.map { .decimal(TimeFormatting.seconds($0)) } ?? .unset
        },
        FlowLogField(name: "orig_retrans", zeekType: "count") { r, _ in .count(r.originatorCounters.retransmissions) },
        FlowLogField(name: "resp_retrans", zeekType: "count") { r, _ in .count(r.responderCounters.retransmissions) },
        FlowLogField(name: "orig_zero_win", zeekType: "count") { r, _ in .count(r.originatorCounters.zeroWindows) },
        FlowLogField(name: "resp_zero_win", zeekType: "count") { r, _ in .count(r.responderCounters.zeroWindows) },
        FlowLogField(name: "orig_ttl", zeekType: "string") { r, _ in ttl(r.originatorCounters) },
        FlowLogField(name: "resp_ttl", zeekType: "string") { r, _ in ttl(r.responderCounters) },
        FlowLogField(name: "orig_ip_id", zeekType: "string") { r, _ in ipID(r.originatorCounters) },
        FlowLogField(name: "resp_ip_id", zeekType: "string") { r, _ in ipID(r.responderCounters) },
        FlowLogField(name: "icmp_errors", zeekType: "count") { r, _ in .count(r.icmpErrors.count) },
        FlowLogField(name: "icmp_last", zeekType: "string") { r, _ in
            r.icmpErrors.count > 0 ? .text("\(r.icmpErrors.lastType)/\(r.icmpErrors.lastCode)") : .unset
        },
        FlowLogField(name: "icmp_from", zeekType: "addr") { r, _ in
            r.icmpErrors.lastSender.map { .text($0.description) } ?? .unset
        },
        FlowLogField(name: "midstream", zeekType: "bool") { r, _ in .bool(r.startedMidstream) },
        FlowLogField(name: "end_reason", zeekType: "string") { r, _ in .text(r.endReason.rawValue) },
        FlowLogField(name: "weirds", zeekType: "count") { r, _ in .count(r.decodeNotes) },
        FlowLogField(name: "app", zeekType: "string") { _, id in id.app.map { .text($0.rawValue) } ?? .unset },
        FlowLogField(name: "app_evidence", zeekType: "string") { _, id in id.evidence.map { .text($0.rawValue) } ?? .unset },
        FlowLogField(name: "confidence", zeekType: "string") { _, id in id.confidence.map { .text($0.rawValue) } ?? .unset },
        FlowLogField(name: "server_name", zeekType: "string") { _, id in id.serverName.map { .text($0) } ?? .unset },
    ]

    static func ttl(_ c: DirectionCounters) -> FieldValue { c.packets == 0 ? .unset : .text(c.ttlRange) }
    static func ipID(_ c: DirectionCounters) -> FieldValue { c.hasIPID ? .text(c.ipIDRange) : .unset }
}
