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

    @OptionGroup var capture: CaptureOptions

    @Option(help: "Output format: table, jsonl, zeek or csv.")
    var format: String = "table"

    @Option(name: .customShort("o"), help: ArgumentHelp("Write records to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(inversion: .prefixedNo, help: "Identify each flow's protocol and service (default: on).")
    var identify = true

    func validate() throws {
        guard BlockWatch.FlowLogFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)': use table, jsonl, zeek or csv")
        }
    }

    func run() throws {
        var request = FlowsRequest(files: [])
        capture.fill(&request)
        request.format = BlockWatch.FlowLogFormat(rawValue: format)!
        request.outputPath = output
        request.identify = identify
        do {
            try FlowsCommand.run(request)
        } catch {
            Diagnostics.fail(error)
        }
    }
}
