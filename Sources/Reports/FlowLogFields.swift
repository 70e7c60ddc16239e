import Flows
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
    let value: @Sendable (FlowRecord) -> FieldValue
}

/// The conn.log fields, in Zeek's order, then BlockWatch's own.
enum FlowLogFields {
    static let all: [FlowLogField] = zeek + blockwatch

    static let zeek: [FlowLogField] = [
        FlowLogField(name: "ts", zeekType: "time") { .decimal(TimeFormatting.epochSeconds($0.start)) },
        FlowLogField(name: "uid", zeekType: "string") { .text($0.uid) },
        FlowLogField(name: "id.orig_h", zeekType: "addr") { .text($0.originator.address.description) },
        FlowLogField(name: "id.orig_p", zeekType: "port") { .count(Int($0.originator.port)) },
        FlowLogField(name: "id.resp_h", zeekType: "addr") { .text($0.responder.address.description) },
        FlowLogField(name: "id.resp_p", zeekType: "port") { .count(Int($0.responder.port)) },
        FlowLogField(name: "proto", zeekType: "enum") { .text($0.transport.description) },
        FlowLogField(name: "service", zeekType: "string") { _ in .unset },
        FlowLogField(name: "duration", zeekType: "interval") {
            $0.duration.nanoseconds > 0 ? .decimal(TimeFormatting.seconds($0.duration)) : .unset
        },
        FlowLogField(name: "orig_bytes", zeekType: "count") { .count($0.originatorCounters.payloadBytes) },
        FlowLogField(name: "resp_bytes", zeekType: "count") { .count($0.responderCounters.payloadBytes) },
        FlowLogField(name: "conn_state", zeekType: "string") { .text($0.connectionState.rawValue) },
        FlowLogField(name: "local_orig", zeekType: "bool") { _ in .unset },
        FlowLogField(name: "local_resp", zeekType: "bool") { _ in .unset },
        FlowLogField(name: "missed_bytes", zeekType: "count") { _ in .count(0) },
        FlowLogField(name: "history", zeekType: "string") { $0.history.isEmpty ? .unset : .text($0.history) },
        FlowLogField(name: "orig_pkts", zeekType: "count") { .count($0.originatorCounters.packets) },
        FlowLogField(name: "orig_ip_bytes", zeekType: "count") { .count($0.originatorCounters.ipBytes) },
        FlowLogField(name: "resp_pkts", zeekType: "count") { .count($0.responderCounters.packets) },
        FlowLogField(name: "resp_ip_bytes", zeekType: "count") { .count($0.responderCounters.ipBytes) },
        FlowLogField(name: "tunnel_parents", zeekType: "set[string]") { _ in .unset },
    ]

    static let blockwatch: [FlowLogField] = [
        FlowLogField(name: "rtt", zeekType: "interval") {
            $0.handshakeRoundTrip.map { .decimal(TimeFormatting.seconds($0)) } ?? .unset
        },
        FlowLogField(name: "orig_retrans", zeekType: "count") { .count($0.originatorCounters.retransmissions) },
        FlowLogField(name: "resp_retrans", zeekType: "count") { .count($0.responderCounters.retransmissions) },
        FlowLogField(name: "orig_zero_win", zeekType: "count") { .count($0.originatorCounters.zeroWindows) },
        FlowLogField(name: "resp_zero_win", zeekType: "count") { .count($0.responderCounters.zeroWindows) },
        FlowLogField(name: "orig_ttl", zeekType: "string") { ttl($0.originatorCounters) },
        FlowLogField(name: "resp_ttl", zeekType: "string") { ttl($0.responderCounters) },
        FlowLogField(name: "orig_ip_id", zeekType: "string") { ipID($0.originatorCounters) },
        FlowLogField(name: "resp_ip_id", zeekType: "string") { ipID($0.responderCounters) },
        FlowLogField(name: "icmp_errors", zeekType: "count") { .count($0.icmpErrors.count) },
        FlowLogField(name: "icmp_last", zeekType: "string") {
            $0.icmpErrors.count > 0 ? .text("\($0.icmpErrors.lastType)/\($0.icmpErrors.lastCode)") : .unset
        },
        FlowLogField(name: "icmp_from", zeekType: "addr") {
            $0.icmpErrors.lastSender.map { .text($0.description) } ?? .unset
        },
        FlowLogField(name: "midstream", zeekType: "bool") { .bool($0.startedMidstream) },
        FlowLogField(name: "end_reason", zeekType: "string") { .text($0.endReason.rawValue) },
        FlowLogField(name: "weirds", zeekType: "count") { .count($0.decodeNotes) },
    ]

    static func ttl(_ c: DirectionCounters) -> FieldValue { c.packets == 0 ? .unset : .text(c.ttlRange) }
    static func ipID(_ c: DirectionCounters) -> FieldValue { c.hasIPID ? .text(c.ipIDRange) : .unset }
}
