import ArgumentParser
import BlockWatch

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tell which services were blocked or throttled, and when the network was cut off.",
        discussion: """
            Inputs are capture files (pcap or pcapng) followed by an optional BPF filter expression, \
            as with tcpdump:  blockwatch analyze day1.pcap day2.pcapng 'not port 22'
            Several files are merged in time order. The text report opens with a plain-language summary, \
            then a table per service, the network timeline and example flows with Wireshark filters; \
            --format json writes the blockwatch.report/1 schema.
            """
    )

    @OptionGroup var capture: CaptureOptions

    @Option(help: ArgumentHelp("Width of the time bins verdicts are made in: 30s, 2m, 1h or seconds (default: from the capture's length).",
                               valueName: "duration"))
    var bin: String?

    @Option(help: ArgumentHelp("Report only these services (repeatable, or comma-separated).", valueName: "name"))
    var service: [String] = []

    @Option(help: ArgumentHelp("Use these catalog services as CONTROL instead of the bundled list (repeatable, or comma-separated).", valueName: "name"))
    var control: [String] = []

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(name: .customShort("o"), help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Time zone for the text report: UTC, an offset such as +06:00, or a name such as Asia/Almaty.", valueName: "zone"))
    var tz: String = "UTC"

    @Option(help: ArgumentHelp("Also write a self-contained HTML report (timelines, evidence; works offline) to this file.", valueName: "file"))
    var html: String?

    func validate() throws {
        guard AnalyzeRequest.Format(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)': use text or json")
        }
        if let bin { _ = try Analyze.binSeconds(bin) }
        if Analyze.names(service).isEmpty != service.isEmpty || Analyze.names(control).isEmpty != control.isEmpty {
            throw ValidationError("--service and --control need service names")
        }
    }

    func run() throws {
        var request = AnalyzeRequest(files: [])
        capture.fill(&request)
        if let bin { request.bin = .seconds(try Analyze.binSeconds(bin)) }
        request.services = Analyze.names(service)
        request.control = Analyze.names(control)
        request.format = AnalyzeRequest.Format(rawValue: format)!
        request.outputPath = output
        request.htmlPath = html
        request.timeZone = tz
        do {
            try AnalyzeCommand.run(request)
        } catch .usage(let message) {
            // The library checks what only it can read (a time zone name); still a usage error: exit 64,
            // with this subcommand's usage line.
            Analyze.exit(withError: ValidationError(message))
        } catch {
            Diagnostics.fail(error)
        }
    }

    /// "30s", "2m", "5min", "1h", "90" (seconds), "1.5m": the bin width in seconds, at least one second
    /// (attempts are judged over several seconds, so narrower bins only split them).
    static func binSeconds(_ text: String) throws -> Double {
        let trimmed = text.trimmingPrefixAndSuffixSpaces().lowercased()
        var number = Substring(trimmed), unit = 1.0
        for (suffix, scale) in [("ms", 0.001), ("min", 60.0), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            unit = scale
            break
        }
        // Digits and a point only: Double() would also take "inf", "nan" and hex.
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number) else {
            throw ValidationError("cannot read --bin '\(text)': use a duration such as 30s, 2m, 1h or 90 (seconds)")
        }
        let seconds = value * unit
        guard seconds >= 1, seconds <= 86_400 else {
            throw ValidationError("--bin '\(text)' must be between 1 second and 24 hours")
        }
        return seconds
    }

    /// Repeated and comma-separated names, lower-cased as the catalog spells them.
    static func names(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingPrefixAndSuffixSpaces().lowercased() }
            .filter { !$0.isEmpty }
    }
}

extension String {
    fileprivate func trimmingPrefixAndSuffixSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
