import Flows

/// What every command that reads capture files is asked, whatever it then does with the flows:
/// which files, filtered how, how far, and with which flow-table bounds and signatures.
public protocol CaptureFileRequest {
    var files: [String] { get set }
    /// A BPF expression applied to every file (tcpdump's trailing expression).
    var filter: String? { get set }
    /// Stop after this many packets (tcpdump's `-c`).
    var packetLimit: Int? { get set }
    var flowTable: FlowTableConfiguration { get set }
    /// Signature files that add to or replace the bundled catalog's services (`--signatures`).
    var signatureFiles: [String] { get set }
    /// DOMESTIC prefixes: each a comma-separated list of prefixes or a file of them (`--domestic`).
    var domestic: [String] { get set }
    /// Show a progress line on standard error; nil means "when standard error is a terminal".
    var showProgress: Bool? { get set }
}

extension AnalyzeRequest: CaptureFileRequest {}
extension FlowsRequest: CaptureFileRequest {}
