import Capture
import Flows
import Wire

/// What `blockwatch live` was asked to do.
public struct LiveRequest: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, jsonl }
    public enum ReportFormat: String, Sendable, CaseIterable { case text, json }

    public var interface: String
    /// Bytes kept of each packet (`-s`).
    public var snapshotLength = 262_144
    /// Promiscuous mode (off with `-p`).
    public var promiscuous = true
    /// Kernel capture buffer in bytes (`-B` is in KiB).
    public var bufferSize = 32 << 20
    /// Each packet handed over as it arrives (`--immediate-mode`): a wakeup per packet. Off, as in
    /// tcpdump: packets come in blocks, at most `bufferTimeoutMilliseconds` late.
    public var immediateMode = false
    /// The longest a packet waits in the kernel without immediate mode (`--buffer-timeout`), and
    /// how often an idle link gives the loop control (bins, `--duration`, stops). 100 ms: verdicts
    /// are per bin (seconds) and judged a 10 s judge window late, so 0.1 s more is 1 % of that
    /// wait, while at any rate where throughput matters a block fills long before the timeout.
    public var bufferTimeoutMilliseconds = 100
    /// A BPF expression (tcpdump syntax).
    public var filter: String?
    /// Stop after this many packets (`-c`).
    public var packetLimit: Int?
    /// Stop after this long (`--duration`).
    public var duration: Timestamp.Duration?
    /// Also save the packets (`-w`); pcapng when `pcapng` or the name ends in .pcapng.
    public var savePath: String?
    public var pcapng = false
    /// Rotation: a new file after this many bytes (`-C`, given in MB) or seconds (`-G`).
    public var rotateBytes: Int?
    public var rotateSeconds: Int?
    /// The user to become once the capture is open (`-Z`); nil: `nobody` when root, `root` stays.
    public var user: String?
    public var bin: Timestamp.Duration = .seconds(30)
    public var format: Format = .text
    /// Where the final report goes; nil: standard output in text mode, nowhere in jsonl mode.
    public var reportPath: String?
    public var reportFormat: ReportFormat = .text
    /// Also the self-contained HTML report of the whole run (`--html`).
    public var htmlPath: String?
    /// Time zone for alert lines, the status view and the final text and HTML reports: "UTC",
    /// "+06:00", or an IANA name like "Asia/Almaty" (as `analyze --tz`).
    public var timeZone: String = "UTC"
    /// Draw the status view (a terminal); nil: when standard output is a terminal.
    public var statusView: Bool?
    public var domestic: [String] = []
    public var control: [String] = []
    public var signatureFiles: [String] = []
    public var flowTable = FlowTableConfiguration()

    /// The libpcap options of this request.
    public var options: LiveCaptureOptions {
        LiveCaptureOptions(snapshotLength: snapshotLength, promiscuous: promiscuous, immediate: immediateMode,
                           bufferSize: bufferSize, timeoutMilliseconds: bufferTimeoutMilliseconds)
    }

    var saving: CaptureSaving? {
        savePath.map { CaptureSaving(path: $0, format: pcapng ? .pcapng : nil, rotateBytes: rotateBytes, rotateSeconds: rotateSeconds) }
    }

    public init(interface: String) {
        self.interface = interface
    }
}
