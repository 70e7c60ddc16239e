import Flows
import Reports

/// What `blockwatch flows` was asked to do.
public struct FlowsRequest: Sendable {
    public var files: [String]
    /// A BPF expression applied to every file (tcpdump's trailing expression).
    public var filter: String?
    /// Stop after this many packets (tcpdump's `-c`).
    public var packetLimit: Int?
    public var format: FlowLogFormat = .table
    /// Where the records go; standard output when nil.
    public var outputPath: String?
    public var flowTable = FlowTableConfiguration()
    /// Signature files that add to or replace the bundled catalog's services (`--signatures`).
    public var signatureFiles: [String] = []
    /// DOMESTIC prefixes: each a comma-separated list of prefixes or a file of them (`--domestic`).
    public var domestic: [String] = []
    /// Identify flows' protocols and services (on by default).
    public var identify = true
    /// Show a progress line on standard error; nil means "when standard error is a terminal".
    public var showProgress: Bool?

    public init(files: [String]) {
        self.files = files
    }
}
