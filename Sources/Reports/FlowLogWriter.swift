import Flows
import Identification
import Wire

/// Writes flow records in one of the `FlowLogFormat`s, record by record.
public struct FlowLogWriter {
    public let format: FlowLogFormat
    let output: TextOutput
    let fields = FlowLogFields.all
    /// The columns' values, in order (`fields` without names, for the per-record loops).
    let fieldIDs: [FlowLogFieldID] = FlowLogFields.all.map(\.id)
    var wroteHeader = false
    /// The first record's time, for Zeek's `#open` line (packet time, never the wall clock).
    var firstTime: Timestamp?

    /// Each field's `,"name":` for JSON lines, spelled once, in a 32-byte slot of its own
    /// (`TextBytes.slot`): field `i`'s is `jsonKeys[32 * i ..< 32 * i + jsonKeyLengths[i]]`.
    let jsonKeys: [UInt8]
    let jsonKeyLengths: [Int]

    public init(format: FlowLogFormat, output: TextOutput) {
        self.format = format
        self.output = output
        var keys: [UInt8] = []
        var lengths: [Int] = []
        for field in FlowLogFields.all {
            let key = Array(",\"\(field.name)\":".utf8)
            precondition(key.count <= TextBytes.slotSize, "field name too long for its slot")
            keys += key + [UInt8](repeating: 0, count: TextBytes.slotSize - key.count)
            lengths.append(key.count)
        }
        jsonKeys = keys
        jsonKeyLengths = lengths
    }

    public mutating func write(_ record: FlowRecord, identity: FlowIdentity) {
        if !wroteHeader { writeHeader(openedAt: record.start) }
        switch format {
        case .table: output.write(tableRow(record, identity))
        case .jsonl: output.appendBytes { jsonLine(record, identity, into: &$0) }
        case .zeek: output.appendBytes { separatedLine(record, identity, separator: 0x09, into: &$0) }
        case .csv: output.appendBytes { separatedLine(record, identity, separator: 0x2C, into: &$0) }
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

    /// One JSON object: unset fields are left out, as Zeek's JSON logs do.
    func jsonLine(_ record: FlowRecord, _ identity: FlowIdentity, into out: inout TextBytes) {
        jsonKeys.withUnsafeBytes { keys in
            jsonKeyLengths.withUnsafeBufferPointer { lengths in
                fieldIDs.withUnsafeBufferPointer { ids in
                    jsonLine(record, identity, ids: ids, keys: keys, lengths: lengths, into: &out)
                }
            }
        }
    }

    func jsonLine(_ record: FlowRecord, _ identity: FlowIdentity, ids: UnsafeBufferPointer<FlowLogFieldID>,
                  keys: UnsafeRawBufferPointer, lengths: UnsafeBufferPointer<Int>, into out: inout TextBytes) {
        // Every key slot starts with a comma: the first one written becomes the opening brace.
        var first = true
        for index in 0..<ids.count {
            let value = FlowLogFields.value(ids[index], record, identity)
            if case .unset = value { continue }
            out.slot(keys.baseAddress.unsafelyUnwrapped + TextBytes.slotSize &* index, length: lengths[index])
            if first {
                out.base[out.count &- lengths[index]] = UInt8(ascii: "{")
                first = false
            }
            switch value {
            case .unset: break
            case .text(let s): out.jsonString(s)
            case .bool(let b): if b { out.ascii("true") } else { out.ascii("false") }
            case .count, .seconds: spellCommon(value, into: &out)
            case .address, .range, .pair:
                // Text in JSON, though never in need of escaping.
                out.byte(UInt8(ascii: "\""))
                spellCommon(value, into: &out)
                out.byte(UInt8(ascii: "\""))
            }
        }
        if first { out.byte(UInt8(ascii: "{")) }
        out.ascii("}\n")
    }

    /// A Zeek (tab-separated) or CSV row.
    func separatedLine(_ record: FlowRecord, _ identity: FlowIdentity, separator: UInt8, into out: inout TextBytes) {
        let zeek = format == .zeek
        for index in fields.indices {
            if index > 0 { out.byte(separator) }
            let value = FlowLogFields.value(fieldIDs[index], record, identity)
            switch value {
            case .unset:
                if zeek { out.byte(UInt8(ascii: "-")) }
            case .text(let s):
                if zeek {
                    if s.isEmpty { out.ascii("(empty)") } else { out.utf8(s) }
                } else {
                    csvText(s, into: &out)
                }
            case .bool(let b):
                if zeek {
                    out.byte(b ? UInt8(ascii: "T") : UInt8(ascii: "F"))
                } else if b {
                    out.ascii("true")
                } else {
                    out.ascii("false")
                }
            default:
                spellCommon(value, into: &out)
            }
        }
        out.byte(0x0A)
    }

    /// Numbers, times and addresses: spelled the same in every machine format.
    func spellCommon(_ value: FieldValue, into out: inout TextBytes) {
        switch value {
        case .count(let n): out.decimal(n)
        case .seconds(let nanoseconds): out.seconds(nanoseconds: nanoseconds)
        case .address(let address): out.address(address)
        case .range(let low, let high): out.range(low, high)
        case .pair(let a, let b):
            out.unsigned(UInt64(a))
            out.byte(UInt8(ascii: "/"))
            out.unsigned(UInt64(b))
        case .text(let s): out.utf8(s)
        case .bool(let b): if b { out.ascii("true") } else { out.ascii("false") }
        case .unset: break
        }
    }

    /// CSV quoting: a value holding a comma or a quote is quoted, its quotes doubled.
    func csvText(_ s: String, into out: inout TextBytes) {
        var ascii = true
        var needsQuotes = false
        for b in s.utf8 {
            if b >= 0x80 { ascii = false; break }
            if b == 0x2C || b == 0x22 { needsQuotes = true }
        }
        guard ascii else {
            // Text beyond ASCII: Character semantics decide, as they always did.
            out.utf8(s.contains(",") || s.contains("\"") ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s)
            return
        }
        guard needsQuotes else { out.utf8(s); return }
        out.byte(0x22)
        for b in s.utf8 {
            if b == 0x22 { out.byte(0x22) }
            out.byte(b)
        }
        out.byte(0x22)
    }

    /// Zeek writes `#open`/`#close` as "2022-01-05-10-31-07".
    func zeekDate(_ time: Timestamp) -> String {
        let iso = TimeFormatting.iso8601(time, fractionDigits: 0)
        return String(iso.dropLast()).replacing("T", with: "-").replacing(":", with: "-")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width - 1 ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// `s` as a JSON string literal, quotes included (control characters escaped).
    public static func jsonString(_ s: String) -> String {
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
