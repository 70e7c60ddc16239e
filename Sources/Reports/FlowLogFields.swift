import Flows
import Identification
import Wire

/// One value of a flow record's field, kept typed until a format decides how to spell it.
/// No case builds a String: the writer formats numbers, times and addresses into its buffer.
enum FieldValue {
    case text(String)
    case count(Int)
    /// Nanoseconds, spelled as seconds with six decimals (time, interval).
    case seconds(Int64)
    case address(IPAddress)
    /// "low" or "low-high" (TTL and IP-ID ranges).
    case range(UInt32, UInt32)
    /// "first/second" (ICMP type and code).
    case pair(UInt8, UInt8)
    case bool(Bool)
    case unset
}

/// A column of the flow log: its Zeek name and type, and which value it holds.
struct FlowLogField {
    let name: String
    let zeekType: String
    let id: FlowLogFieldID
}

/// One per column; `FlowLogFields.value(_:_:_:)` reads it from a record (a switch, so the writer
/// calls no closure and copies no column description per field).
enum FlowLogFieldID {
    case ts, uid, idOrigH, idOrigP, idRespH, idRespP, proto, service, duration, origBytes, respBytes, connState, localOrig, localResp, missedBytes, history, origPkts, origIpBytes, respPkts, respIpBytes, tunnelParents, rtt, origRetrans, respRetrans, origZeroWin, respZeroWin, origTtl, respTtl, origIpId, respIpId, icmpErrors, icmpLast, icmpFrom, midstream, endReason, weirds, app, appEvidence, confidence, serverName
}

/// The conn.log fields, in Zeek's order, then BlockWatch's own.
enum FlowLogFields {
    static let all: [FlowLogField] = zeek + blockwatch

    static let zeek: [FlowLogField] = [
        FlowLogField(name: "ts", zeekType: "time", id: .ts),
        FlowLogField(name: "uid", zeekType: "string", id: .uid),
        FlowLogField(name: "id.orig_h", zeekType: "addr", id: .idOrigH),
        FlowLogField(name: "id.orig_p", zeekType: "port", id: .idOrigP),
        FlowLogField(name: "id.resp_h", zeekType: "addr", id: .idRespH),
        FlowLogField(name: "id.resp_p", zeekType: "port", id: .idRespP),
        FlowLogField(name: "proto", zeekType: "enum", id: .proto),
        FlowLogField(name: "service", zeekType: "string", id: .service),
        FlowLogField(name: "duration", zeekType: "interval", id: .duration),
        FlowLogField(name: "orig_bytes", zeekType: "count", id: .origBytes),
        FlowLogField(name: "resp_bytes", zeekType: "count", id: .respBytes),
        FlowLogField(name: "conn_state", zeekType: "string", id: .connState),
        FlowLogField(name: "local_orig", zeekType: "bool", id: .localOrig),
        FlowLogField(name: "local_resp", zeekType: "bool", id: .localResp),
        FlowLogField(name: "missed_bytes", zeekType: "count", id: .missedBytes),
        FlowLogField(name: "history", zeekType: "string", id: .history),
        FlowLogField(name: "orig_pkts", zeekType: "count", id: .origPkts),
        FlowLogField(name: "orig_ip_bytes", zeekType: "count", id: .origIpBytes),
        FlowLogField(name: "resp_pkts", zeekType: "count", id: .respPkts),
        FlowLogField(name: "resp_ip_bytes", zeekType: "count", id: .respIpBytes),
        FlowLogField(name: "tunnel_parents", zeekType: "set[string]", id: .tunnelParents),
    ]

    static let blockwatch: [FlowLogField] = [
        FlowLogField(name: "rtt", zeekType: "interval", id: .rtt),
        FlowLogField(name: "orig_retrans", zeekType: "count", id: .origRetrans),
        FlowLogField(name: "resp_retrans", zeekType: "count", id: .respRetrans),
        FlowLogField(name: "orig_zero_win", zeekType: "count", id: .origZeroWin),
        FlowLogField(name: "resp_zero_win", zeekType: "count", id: .respZeroWin),
        FlowLogField(name: "orig_ttl", zeekType: "string", id: .origTtl),
        FlowLogField(name: "resp_ttl", zeekType: "string", id: .respTtl),
        FlowLogField(name: "orig_ip_id", zeekType: "string", id: .origIpId),
        FlowLogField(name: "resp_ip_id", zeekType: "string", id: .respIpId),
        FlowLogField(name: "icmp_errors", zeekType: "count", id: .icmpErrors),
        FlowLogField(name: "icmp_last", zeekType: "string", id: .icmpLast),
        FlowLogField(name: "icmp_from", zeekType: "addr", id: .icmpFrom),
        FlowLogField(name: "midstream", zeekType: "bool", id: .midstream),
        FlowLogField(name: "end_reason", zeekType: "string", id: .endReason),
        FlowLogField(name: "weirds", zeekType: "count", id: .weirds),
        FlowLogField(name: "app", zeekType: "string", id: .app),
        FlowLogField(name: "app_evidence", zeekType: "string", id: .appEvidence),
        FlowLogField(name: "confidence", zeekType: "string", id: .confidence),
        FlowLogField(name: "server_name", zeekType: "string", id: .serverName),
    ]

    /// The value of column `field` for a record and its identity.
    static func value(_ field: FlowLogFieldID, _ r: FlowRecord, _ identity: FlowIdentity) -> FieldValue {
        switch field {
        case .ts: .seconds(r.start.nanoseconds)
        case .uid: .text(r.uid)
        case .idOrigH: .address(r.originator.address)
        case .idOrigP: .count(Int(r.originator.port))
        case .idRespH: .address(r.responder.address)
        case .idRespP: .count(Int(r.responder.port))
        case .proto: .text(r.transport.description)
        case .service: identity.applicationProtocol.map { .text($0.rawValue) } ?? .unset
        case .duration: r.duration.nanoseconds > 0 ? .seconds(r.duration.nanoseconds) : .unset
        case .origBytes: .count(r.originatorCounters.payloadBytes)
        case .respBytes: .count(r.responderCounters.payloadBytes)
        case .connState: .text(r.connectionState.rawValue)
        case .localOrig: .unset
        case .localResp: .unset
        case .missedBytes: .count(0)
        case .history: r.history.isEmpty ? .unset : .text(r.history)
        case .origPkts: .count(r.originatorCounters.packets)
        case .origIpBytes: .count(r.originatorCounters.ipBytes)
        case .respPkts: .count(r.responderCounters.packets)
        case .respIpBytes: .count(r.responderCounters.ipBytes)
        case .tunnelParents: .unset
        case .rtt: r.handshakeRoundTrip.map { .seconds($0.nanoseconds) } ?? .unset
        case .origRetrans: .count(r.originatorCounters.retransmissions)
        case .respRetrans: .count(r.responderCounters.retransmissions)
        case .origZeroWin: .count(r.originatorCounters.zeroWindows)
        case .respZeroWin: .count(r.responderCounters.zeroWindows)
        case .origTtl: ttl(r.originatorCounters)
        case .respTtl: ttl(r.responderCounters)
        case .origIpId: ipID(r.originatorCounters)
        case .respIpId: ipID(r.responderCounters)
        case .icmpErrors: .count(r.icmpErrors.count)
        case .icmpLast: r.icmpErrors.count > 0 ? .pair(r.icmpErrors.lastType, r.icmpErrors.lastCode) : .unset
        case .icmpFrom: r.icmpErrors.lastSender.map { .address($0) } ?? .unset
        case .midstream: .bool(r.startedMidstream)
        case .endReason: .text(r.endReason.rawValue)
        case .weirds: .count(r.decodeNotes)
        case .app: identity.app.map { .text($0.rawValue) } ?? .unset
        case .appEvidence: identity.evidence.map { .text($0.rawValue) } ?? .unset
        case .confidence: identity.confidence.map { .text($0.rawValue) } ?? .unset
        case .serverName: identity.serverName.map { .text($0) } ?? .unset
        }
    }

    static func ttl(_ c: DirectionCounters) -> FieldValue {
        c.packets == 0 ? .unset : .range(UInt32(c.minimumTTL), UInt32(c.maximumTTL))
    }
    static func ipID(_ c: DirectionCounters) -> FieldValue { c.hasIPID ? .range(c.minimumIPID, c.maximumIPID) : .unset }
}
