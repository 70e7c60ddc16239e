import ArgumentParser
import BlockWatch

struct Services: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the signature catalog in use: services, their sources and ages; warn on stale address lists."
    )

    @Option(help: ArgumentHelp("A signature file whose services add to or replace the bundled ones (repeatable).", valueName: "file"))
    var signatures: [String] = []

    @Flag(help: "List every entry with its source and retrieval date.")
    var entries = false

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(help: ArgumentHelp("Warn about address lists retrieved more than this many days ago.", valueName: "days"))
    var staleAfter: Int = 180

    func validate() throws {
        guard format == "text" || format == "json" else { throw ValidationError("unknown format '\(format)': use text or json") }
        guard staleAfter > 0 else { throw ValidationError("--stale-after must be positive") }
    }

    func run() throws {
        var request = ServicesCommand.Request()
        request.signatureFiles = signatures
        request.showEntries = entries
        request.json = format == "json"
        request.staleAfterDays = staleAfter
        do {
            try ServicesCommand.run(request)
        } catch {
            Diagnostics.fail(error)
        }
    }
}
