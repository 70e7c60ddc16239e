import ArgumentParser
import BlockWatch

/// The options every command that reads captures shares (tcpdump's where they overlap).
struct CaptureOptions: ParsableArguments {
    @Option(name: .customShort("r"), help: ArgumentHelp("Read packets from this capture file (repeatable).", valueName: "file"))
    var readFiles: [String] = []

    @Argument(help: ArgumentHelp("Capture files, then an optional BPF filter expression.", valueName: "file... [expression]"))
    var inputs: [String] = []

    @Option(name: .customShort("c"), help: ArgumentHelp("Stop after this many packets.", valueName: "count"))
    var count: Int?

    @Option(help: ArgumentHelp("Seconds without packets before a TCP flow ends.", valueName: "seconds"))
    var tcpTimeout: Double = 300

    @Option(help: ArgumentHelp("Seconds without packets before a UDP or ICMP flow ends.", valueName: "seconds"))
    var udpTimeout: Double = 60

    @Option(help: ArgumentHelp("Most flows tracked at once; the least recently active are written out early beyond it.", valueName: "n"))
    var maxFlows: Int = 250_000

    @Flag(inversion: .prefixedNo, help: "Show progress on standard error (default: when it is a terminal).")
    var progress: Bool?

    @Option(help: ArgumentHelp("A signature file whose services add to or replace the bundled ones (repeatable).", valueName: "file"))
    var signatures: [String] = []

    @Option(help: ArgumentHelp("In-country prefixes (comma-separated) or a file of them: their servers form the DOMESTIC group (repeatable).", valueName: "prefixes|file"))
    var domestic: [String] = []

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("-c needs a positive packet count") }
        guard tcpTimeout > 0, udpTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard maxFlows > 0 else { throw ValidationError("--max-flows must be positive") }
        if readFiles.isEmpty && CaptureInputs.split(inputs).files.isEmpty {
            throw ValidationError("no capture file given")
        }
    }

    /// The capture files (`-r` first, then the leading arguments) and the trailing filter.
    var filesAndFilter: (files: [String], filter: String?) {
        let split = CaptureInputs.split(inputs)
        return (readFiles + split.files, split.filter)
    }

    /// Fills what every capture-reading command is asked from these options.
    func fill<Request: CaptureFileRequest>(_ request: inout Request) {
        let (files, filter) = filesAndFilter
        request.files = files
        request.filter = filter
        request.packetLimit = count
        request.flowTable = flowTable
        request.showProgress = progress
        request.signatureFiles = signatures
        request.domestic = domestic
    }

    var flowTable: FlowTableConfiguration {
        var table = FlowTableConfiguration()
        table.tcpIdleTimeout = .seconds(tcpTimeout)
        table.udpIdleTimeout = .seconds(udpTimeout)
        table.icmpIdleTimeout = .seconds(udpTimeout)
        table.otherIdleTimeout = .seconds(udpTimeout)
        table.maximumFlows = maxFlows
        return table
    }
}
