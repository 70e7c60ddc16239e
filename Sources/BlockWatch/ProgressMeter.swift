#if canImport(Glibc)
import Glibc
#endif
import Reports

/// A one-line progress indicator on standard error for long files. It looks at the wall clock,
/// which is fine for a display; results never depend on it.
struct ProgressMeter {
    let totalBytes: Int64
    let output = TextOutput.standardError()
    var lastDraw: Double = 0
    var drew = false

    init(totalBytes: Int64) {
        self.totalBytes = totalBytes
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Redraws at most four times a second.
    mutating func update(bytesRead: Int64, packets: Int, flows: Int) {
        let t = ProgressMeter.now()
        guard t - lastDraw >= 0.25 else { return }
        lastDraw = t
        drew = true
        let percent = totalBytes > 0 ? min(100, Int(bytesRead * 100 / totalBytes)) : 0
        output.write("\r\u{1B}[K[\(percent)%] \(packets) packets, \(flows) flows")
        output.flush()
    }

    mutating func clear() {
        guard drew else { return }
        output.write("\r\u{1B}[K")
        output.flush()
    }
}
