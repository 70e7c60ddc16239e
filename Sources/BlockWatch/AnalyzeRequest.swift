import Flows
import Reports
import Wire

/// What `blockwatch analyze` was asked to do.
public struct AnalyzeRequest: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, json }

    public var files: [String]
    /// A BPF expression applied to every file.
    public var filter: String?
    public var packetLimit: Int?
    /// Bin width; nil chooses one from the capture's length.
    public var bin: Timestamp.Duration?
    /// Only these services in the report (all when empty).
    public var services: [String] = []
    /// DOMESTIC prefixes: comma-separated lists or files of them.
    public var domestic: [String] = []
    /// Replaces the CONTROL services (names from the catalog).
    public var control: [String] = []
    public var signatureFiles: [String] = []
    public var format: Format = .text
    public var outputPath: String?
    /// Also write the self-contained HTML report (timelines, evidence) to this file.
    public var htmlPath: String?
    /// Time zone for times in the text report: "UTC", "+06:00", or an IANA name like "Asia/Almaty".
    public var timeZone: String = "UTC"
    public var flowTable = FlowTableConfiguration()
    public var showProgress: Bool?

    public init(files: [String]) {
        self.files = files
    }
}
