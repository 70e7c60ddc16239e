/// Zeek's `conn_state`: how a connection began and ended, as one of thirteen codes.
public enum ConnectionState: String, Sendable, CaseIterable, Codable {
    case s0 = "S0"          // attempt seen, no reply
    case s1 = "S1"          // established, not terminated
    case sf = "SF"          // normal establishment and termination
    case rej = "REJ"        // attempt rejected
    case s2 = "S2"          // established, originator's close attempt, no reply
    case s3 = "S3"          // established, responder's close attempt, no reply
    case rsto = "RSTO"      // established, originator aborted (RST)
    case rstr = "RSTR"      // responder sent a RST
    case rstos0 = "RSTOS0"  // originator sent SYN then RST, no SYN-ACK seen
    case rstrh = "RSTRH"    // responder sent SYN-ACK then RST, no SYN seen
    case sh = "SH"          // originator sent SYN then FIN, no SYN-ACK seen
    case shr = "SHR"        // responder sent SYN-ACK then FIN, no SYN seen
    case oth = "OTH"        // no SYN seen: mid-stream traffic

    /// The state of a TCP connection, derived purely from its endpoints' states and history,
    /// following Zeek's `conn_state` (base/protocols/conn/main.zeek).
    public static func tcp(originator os: TCPEndpointState, responder rs: TCPEndpointState,
                           originatorPayloadBytes: Int, responderPayloadBytes: Int,
                           history: String) -> ConnectionState {
        let originatorInactive = os == .inactive || os == .partial
        let responderInactive = rs == .inactive || rs == .partial
        if rs == .reset {
            if os == .synSent || os == .synAckSent
                || (os == .reset && originatorPayloadBytes == 0 && responderPayloadBytes == 0) {
                return .rej
            }
            return originatorInactive ? .rstrh : .rstr
        }
        if os == .reset {
            if responderInactive {
                return historyIsSynThenReset(history) ? .rstos0 : .oth
            }
            return .rsto
        }
        if rs == .closed && os == .closed { return .sf }
        if os == .closed { return responderInactive ? .sh : .s2 }
        if rs == .closed { return originatorInactive ? .shr : .s3 }
        if os == .synSent && rs == .inactive { return .s0 }
        if os == .established && rs == .established { return .s1 }
        return .oth
    }

    /// A UDP (or other datagram) flow: SF when both sides spoke, S0 when only the originator did.
    public static func datagram(originatorPackets: Int, responderPackets: Int) -> ConnectionState {
        if originatorPackets > 0 { return responderPackets > 0 ? .sf : .s0 }
        return responderPackets > 0 ? .shr : .oth
    }

    /// Zeek's `/\^?S[^HAFGIQ]*R.*/`: a SYN, then a RST with no handshake, data or FIN between.
    static func historyIsSynThenReset(_ history: String) -> Bool {
        var letters = Substring(history)
        if letters.first == "^" { letters = letters.dropFirst() }
        guard letters.first == "S" else { return false }
        for letter in letters.dropFirst() {
            if letter == "R" { return true }
            if "HAFGIQ".contains(letter) { return false }
        }
        return false
    }
}
