import Foundation

/// Where the tests find captures: the project's own `captures/`, and the shared corpus beside
/// the project root (`../shared/corpus/`, read in place, never copied).
enum TestCaptures {
    static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var bundled: [String] { files(in: projectRoot.appendingPathComponent("captures")) }

    static var sharedCorpusRoot: URL { projectRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus") }

    static var sharedCorpus: [String] {
        files(in: sharedCorpusRoot.appendingPathComponent("ndpi/pcap"))
            + files(in: sharedCorpusRoot.appendingPathComponent("censorship"))
    }

    static func files(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }

    /// Runs a tool and returns its standard output (standard error is discarded).
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
