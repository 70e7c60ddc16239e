import Flows
import Identification
import Wire

/// Writes flow records in one of the `FlowLogFormat`s, record by record.
public struct FlowLogWriter {
    public let format: FlowLogFormat
    let output: TextOutput
    let fields = FlowLogFields.all
    var wroteHeader = false
    /// The first record's time, for Zeek's `#open` line (packet time, never the wall clock).
    var firstTime: Timestamp?

    public init(format: FlowLogFormat, output: TextOutput) {
        self.format = format
        self.output = output
    }

    public mutating func write(_ record: FlowRecord, identity: FlowIdentity) {
        if !wroteHeader { writeHeader(openedAt: record.start) }
        switch format {
        case .table: output.write(tableRow(record, identity))
        case .jsonl: output.write(jsonLine(record, identity))
        case .zeek: output.write(fields.map { zeekValue($0.value(record, identity)) }.joined(separator: "\t") + "\n")
        case .csv: output.write(fields.map { csvValue($0.value(record, identity)) }.joined(separator: ",") + "\n")
        }
    }

    /// Closes the log (Zeek's `#close` line); writes the header if no record came.
    public mutating func finish(closedAt time: Timestamp?) {
        if !wroteHeader { writeHeader(openedAt: time ?? Timestamp(nanoseconds: 0)) }
        if format == .zeek {
            output.write("#close\t\(zeekDate(time ?? firstTime ?? Timestamp(nanoseconds: 0)))\n")
        }
        output.flush()
    }

    mutating func writeHeader(openedAt time: Timestamp) {
        wroteHeader = true
        firstTime = time
        switch format {
        case .table:
            output.write(FlowLogWriter.pad("start (UTC)", 26) + FlowLogWriter.pad("proto", 6)
                         + FlowLogWriter.pad("originator", 42) + FlowLogWriter.pad("responder", 42)
                         + FlowLogWriter.pad("state", 7) + FlowLogWriter.pad("history", 12)
                         + FlowLogWriter.pad("pkts o/r", 14) + FlowLogWriter.pad("bytes o/r", 22)
                         + FlowLogWriter.pad("duration", 11) + FlowLogWriter.pad("rtt", 9) + "app (evidence)\n")
        case .jsonl:
            break
        case .zeek:
            output.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n")
            output.write("#open\t\(zeekDate(time))\n")
            output.write("#fields\t" + fields.map(\.name).joined(separator: "\t") + "\n")
            output.write("#types\t" + fields.map(\.zeekType).joined(separator: "\t") + "\n")
        case .csv:
            output.write(fields.map(\.name).joined(separator: ",") + "\n")
        }
    }

    func tableRow(_ r: FlowRecord, _ identity: FlowIdentity) -> String {
        let start = TimeFormatting.iso8601(r.start, fractionDigits: 6).replacing("T", with: " ")
        let rtt = r.handshakeRoundTrip.map { TimeFormatting.seconds($0, fractionDigits: 4) } ?? "-"
        let duration = TimeFormatting.seconds(r.duration, fractionDigits: 3)
        return FlowLogWriter.pad(String(start.dropLast()), 26) + FlowLogWriter.pad(r.transport.description, 6)
            + FlowLogWriter.pad(r.originator.description, 42) + FlowLogWriter.pad(r.responder.description, 42)
            + FlowLogWriter.pad(r.connectionState.rawValue, 7) + FlowLogWriter.pad(r.history.isEmpty ? "-" : r.history, 12)
            + FlowLogWriter.pad("\(r.originatorCounters.packets)/\(r.responderCounters.packets)", 14)
            + FlowLogWriter.pad("\(r.originatorCounters.payloadBytes)/\(r.responderCounters.payloadBytes)", 22)
            + FlowLogWriter.pad(duration, 11) + FlowLogWriter.pad(rtt, 9) + FlowLogWriter.appColumn(identity) + "\n"
    }

    /// "telegram (payload)", "signal (sni: chat.signal.org)", "quic", or "-".
    static func appColumn(_ identity: FlowIdentity) -> String {
        guard let app = identity.app else { return identity.applicationProtocol?.rawValue ?? identity.serverName ?? "-" }
        var text = app.rawValue
        if let evidence = identity.evidence {
            text += " (" + evidence.rawValue
            if let name = identity.serverName, evidence != .ip, evidence != .port, evidence != .payload { text += ": " + name }
            text += ")"
        }
        return text
    }

    func jsonLine(_ record: FlowRecord, _ identity: FlowIdentity) -> String {
        var line = "{"
        var first = true
        for field in fields {
            let value = field.value(record, identity)
            let spelled: String
            switch value {
            case .unset: continue
            case .text(let s): spelled = FlowLogWriter.jsonString(s)
            case .count(let n): spelled = String(n)
            case .decimal(let d): spelled = d
            case .bool(let b): spelled = b ? "true" : "false"
            }
            line += (first ? "" : ",") + "\"" + field.name + "\":" + spelled
            first = false
        }
        return line + "}\n"
    }

    func zeekValue(_ value: FieldValue) -> String {
        switch value {
        case .unset: "-"
        case .text(let s): s.isEmpty ? "(empty)" : s
        case .count(let n): String(n)
        case .decimal(let d): d
        case .bool(let b): b ? "T" : "F"
        }
    }

    func csvValue(_ value: FieldValue) -> String {
        switch value {
        case .unset: ""
        case .text(let s): s.contains(",") || s.contains("\"") ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
        case .count(let n): String(n)
        case .decimal(let d): d
        case .bool(let b): b ? "true" : "false"
        }
    }

    /// Zeek writes `#open`/`#close` as "2022-01-05-10-31-07".
    func zeekDate(_ time: Timestamp) -> String {
        let iso = TimeFormatting.iso8601(time, fractionDigits: 0)
        return String(iso.dropLast()).replacing("T", with: "-").replacing(":", with: "-")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width - 1 ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
