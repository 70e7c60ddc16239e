import Foundation
import Wire

/// The time zone a report shows its times in: UTC, a fixed offset ("+06:00", "-0330"), or an
/// IANA zone ("Asia/Almaty", with its daylight-saving rules). Times in JSON stay epoch seconds.
public struct ReportTimeZone: Sendable, Equatable {
    /// A zone that could not be understood, with a one-line message for the user.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let input: String

        public var description: String {
            "unknown time zone '\(input)': use UTC, an offset such as +06:00 or -0330, or a name such as Asia/Almaty"
        }
    }

    enum Rule: Sendable, Equatable {
        case fixed(seconds: Int)
        case named(TimeZone)
    }

    let rule: Rule
    /// How the report names the zone: "UTC", "UTC+06:00", "Asia/Almaty".
    public let name: String

    public static let utc = ReportTimeZone(rule: .fixed(seconds: 0), name: "UTC")

    init(rule: Rule, name: String) {
        self.rule = rule
        self.name = name
    }

    /// Reads "UTC" (or "Z", "GMT"), an offset with an optional "UTC"/"GMT" prefix ("+06:00",
    /// "-0330", "+6", "UTC+05:30"), or an IANA zone name.
    public init(_ text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let upper = trimmed.uppercased()
        if ["UTC", "Z", "GMT", "UT"].contains(upper) {
            self = .utc
            return
        }
        var offsetText = Substring(trimmed)
        for prefix in ["UTC", "GMT"] where upper.hasPrefix(prefix) {
            offsetText = offsetText.dropFirst(prefix.count)
        }
        if let first = offsetText.first, first == "+" || first == "-" {
            guard let seconds = ReportTimeZone.offsetSeconds(offsetText) else { throw ParseError(input: text) }
            self = seconds == 0 ? .utc : ReportTimeZone(rule: .fixed(seconds: seconds), name: "UTC" + ReportTimeZone.offsetText(seconds))
            return
        }
        // Only names that look like tz database identifiers reach Foundation (it would also
        // accept odd spellings we'd rather reject with a clear message).
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isLetter || $0.isNumber || "/_-+".contains($0) }),
              let zone = TimeZone(identifier: trimmed) else {
            throw ParseError(input: text)
        }
        self.init(rule: .named(zone), name: zone.identifier)
    }

    /// Seconds east of UTC at an instant (daylight saving applies to named zones).
    public func offset(at epochSeconds: Double) -> Int {
        switch rule {
        case .fixed(let seconds): seconds
        case .named(let zone): zone.secondsFromGMT(for: Date(timeIntervalSince1970: epochSeconds))
        }
    }

    /// Whether this is UTC itself.
    public var isUTC: Bool { rule == .fixed(seconds: 0) }

    /// "UTC" or "UTC+06:00": the offset in force at an instant.
    public func offsetName(at epochSeconds: Double) -> String {
        let seconds = offset(at: epochSeconds)
        return seconds == 0 ? "UTC" : "UTC" + ReportTimeZone.offsetText(seconds)
    }

    /// The zone as it follows a time in a sentence: "10:31 UTC", "10:31 UTC+06:00",
    /// "10:31 Asia/Almaty time".
    var suffix: String {
        switch rule {
        case .fixed: name
        case .named: name + " time"
        }
    }

    /// "14:03:10": an instant's clock time in this zone.
    public func clock(_ time: Timestamp) -> String {
        local(Double(TimeFormatting.floorDivide(time.nanoseconds, 1_000_000_000))).hoursMinutesSeconds
    }

    /// An instant's local calendar day and clock, in this zone.
    func local(_ epochSeconds: Double) -> LocalTime {
        let whole = Int64(epochSeconds.rounded(.down)) + Int64(offset(at: epochSeconds))
        let days = TimeFormatting.floorDivide(whole, 86_400)
        let secondOfDay = whole - days * 86_400
        let (year, month, day) = TimeFormatting.civilDate(daysSinceEpoch: days)
        return LocalTime(day: "\(year)-\(TimeFormatting.pad(month, 2))-\(TimeFormatting.pad(day, 2))",
                         hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
    }

    /// "+6", "+06", "+0600", "+06:00", "-3:30": nil unless within ±14 hours.
    static func offsetSeconds(_ text: Substring) -> Int? {
        let sign = text.first == "-" ? -1 : 1
        let body = text.dropFirst()
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        let hoursText: Substring, minutesText: Substring
        switch parts.count {
        case 1 where body.count <= 2: (hoursText, minutesText) = (body, "0")
        case 1 where body.count == 4: (hoursText, minutesText) = (body.prefix(2), body.suffix(2))
        case 2 where parts[1].count == 2: (hoursText, minutesText) = (parts[0], parts[1])
        default: return nil
        }
        let digits: (Substring) -> Bool = { $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard !hoursText.isEmpty, hoursText.count <= 2, digits(hoursText), digits(minutesText),
              let hours = Int(hoursText), let minutes = Int(minutesText),
              minutes < 60, hours * 60 + minutes <= 14 * 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// "+06:00", "-03:30".
    static func offsetText(_ seconds: Int) -> String {
        let minutes = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + TimeFormatting.pad(Int64(minutes / 60), 2) + ":" + TimeFormatting.pad(Int64(minutes % 60), 2)
    }
}

/// A local calendar day and wall-clock time.
struct LocalTime: Equatable {
    var day: String
    var hour: Int64
    var minute: Int64
    var second: Int64

    var hoursMinutes: String { TimeFormatting.pad(hour, 2) + ":" + TimeFormatting.pad(minute, 2) }
    var hoursMinutesSeconds: String { hoursMinutes + ":" + TimeFormatting.pad(second, 2) }
}
