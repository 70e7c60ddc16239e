import Wire

/// Dates for reports, from packet timestamps, without Foundation's per-call cost.
public enum TimeFormatting {
    /// "2022-01-05T10:31:07.123456Z" (UTC, microseconds).
    public static func iso8601(_ time: Timestamp, fractionDigits: Int = 6) -> String {
        let nanoseconds = time.nanoseconds
        var seconds = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        let (year, month, day) = civilDate(daysSinceEpoch: floorDivide(seconds, 86_400))
        let secondOfDay = seconds - floorDivide(seconds, 86_400) * 86_400
        var text = "\(year)-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fractionDigits > 0 {
            var divisor: Int64 = 1
            for _ in 0..<(9 - min(9, fractionDigits)) { divisor *= 10 }
            text += "." + pad(fraction / divisor, min(9, fractionDigits))
        }
        return text + "Z"
    }

    /// Epoch seconds with a fixed number of decimals, as Zeek writes `ts` ("1641378667.123456").
    public static func epochSeconds(_ time: Timestamp, fractionDigits: Int = 6) -> String {
        decimal(nanoseconds: time.nanoseconds, fractionDigits: fractionDigits)
    }

    /// A duration in seconds with a fixed number of decimals ("0.031250").
    public static func seconds(_ duration: Timestamp.Duration, fractionDigits: Int = 6) -> String {
        decimal(nanoseconds: duration.nanoseconds, fractionDigits: fractionDigits)
    }

    static func decimal(nanoseconds: Int64, fractionDigits: Int) -> String {
        let negative = nanoseconds < 0
        let magnitude = nanoseconds.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<(9 - min(9, fractionDigits)) { divisor *= 10 }
        // Round to the requested precision.
        let scaled = (magnitude + divisor / 2) / divisor
        var unit: UInt64 = 1
        for _ in 0..<min(9, fractionDigits) { unit *= 10 }
        let whole = scaled / unit
        let fraction = scaled % unit
        var text = negative ? "-" : ""
        text += String(whole)
        if fractionDigits > 0 { text += "." + pad(Int64(fraction), min(9, fractionDigits)) }
        return text
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
