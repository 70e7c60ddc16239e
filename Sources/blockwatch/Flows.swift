import ArgumentParser
import BlockWatch

struct Flows: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one record per flow (Zeek conn.log fields), then a summary.",
        discussion: """
            Inputs are capture files (pcap or pcapng) followed by an optional BPF filter expression, \
            as with tcpdump:  blockwatch flows day1.pcap day2.pcapng 'tcp port 443'
            Several files are merged in time order.
            """
    )

    @Option(name: .customShort("r"), help: ArgumentHelp("Read packets from this capture file (repeatable).", valueName: "file"))
    var readFiles: [String] = []

    @Argument(help: ArgumentHelp("Capture files, then an optional BPF filter expression.", valueName: "file... [expression]"))
    var inputs: [String] = []

    @Option(name: .customShort("c"), help: ArgumentHelp("Stop after this many packets.", valueName: "count"))
    var count: Int?

    @Option(help: "Output format: table, jsonl, zeek or csv.")
    var format: String = "table"

    @Option(name: .customShort("o"), help: ArgumentHelp("Write records to this file instead of standard output.", valueName: "file"))
    var output: String?

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

    @Flag(inversion: .prefixedNo, help: "Identify each flow's protocol and service (default: on).")
    var identify = true

    func validate() throws {
        guard BlockWatch.FlowLogFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)': use table, jsonl, zeek or csv")
        }
        if let count, count <= 0 { throw ValidationError("-c needs a positive packet count") }
        guard tcpTimeout > 0, udpTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard maxFlows > 0 else { throw ValidationError("--max-flows must be positive") }
        if readFiles.isEmpty && CaptureInputs.split(inputs).files.isEmpty {
            throw ValidationError("no capture file given")
        }
    }

    func run() throws {
        let split = CaptureInputs.split(inputs)
        var request = FlowsRequest(files: readFiles + split.files)
        request.filter = split.filter
        request.packetLimit = count
        request.format = BlockWatch.FlowLogFormat(rawValue: format)!
        request.outputPath = output
        request.flowTable.tcpIdleTimeout = .seconds(tcpTimeout)
        request.flowTable.udpIdleTimeout = .seconds(udpTimeout)
        request.flowTable.icmpIdleTimeout = .seconds(udpTimeout)
        request.flowTable.otherIdleTimeout = .seconds(udpTimeout)
        request.flowTable.maximumFlows = maxFlows
        request.showProgress = progress
        request.signatureFiles = signatures
        request.domestic = domestic
        request.identify = identify
        do {
            try FlowsCommand.run(request)
        } catch {
            Diagnostics.fail(error)
        }
    }
}
