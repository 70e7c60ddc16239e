import ArgumentParser
import BlockWatch

@main
struct BlockWatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blockwatch",
        abstract: "Tells from packet captures which services were blocked, throttled or cut off.",
        version: BlockWatchVersion.current,
        subcommands: [Analyze.self, Flows.self, Live.self, Services.self]
    )
}
