// craft-captures: (re)writes the project's bundled captures, or a large benchmark capture.
//
//   craft-captures captures/
//   craft-captures --benchmark OUT.pcap [--packets 6000000] [--flows 200000] [--seed 1]
//   craft-captures --flood syn|fragments|dns|hello|elephant|month OUT.pcap [--packets 1000000] [--seed 1]
//
// A developer tool: arguments are parsed by hand; the work is done by PacketCrafting.
import Foundation
import PacketCrafting

func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("craft-captures: \(message)\n".utf8))
    exit(code)
}

let usage = "usage: craft-captures FOLDER | craft-captures --benchmark OUT.pcap [--packets N] [--flows N] [--seed N]"
    + " | craft-captures --flood syn|fragments|dns|hello|elephant|month OUT.pcap [--packets N] [--seed N]"
var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.isEmpty || arguments.contains("-h") || arguments.contains("--help") {
    print(usage)
    exit(arguments.isEmpty ? 64 : 0)
}

if arguments.first == "--flood" {
    guard arguments.count >= 3, let kind = FloodCaptureGenerator.Kind(rawValue: arguments[1]) else { fail(usage, code: 64) }
    var configuration = FloodCaptureGenerator.Configuration(kind: kind, packets: 1_000_000)
    var index = 3
    while index < arguments.count {
        guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 else { fail(usage, code: 64) }
        switch arguments[index] {
        case "--packets": configuration.packets = value
        case "--seed": configuration.seed = UInt64(value)
        default: fail("unknown option '\(arguments[index])'\n\(usage)", code: 64)
        }
        index += 2
    }
    do {
        let summary = try FloodCaptureGenerator(configuration).write(to: arguments[2])
        // Standard output may be the capture itself (/dev/stdout): report on standard error.
        FileHandle.standardError.write(Data("wrote \(arguments[2]): \(kind.rawValue) flood, \(summary)\n".utf8))
    } catch {
        fail("\(error)")
    }
} else if arguments.first == "--benchmark" {
    guard arguments.count >= 2, !arguments[1].hasPrefix("-") else { fail(usage, code: 64) }
    var configuration = BenchmarkCaptureGenerator.Configuration()
    var index = 2
    while index < arguments.count {
        guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 else { fail(usage, code: 64) }
        switch arguments[index] {
        case "--packets": configuration.packets = value
        case "--flows": configuration.flows = value
        case "--seed": configuration.seed = UInt64(value)
        default: fail("unknown option '\(arguments[index])'\n\(usage)", code: 64)
        }
        index += 2
    }
    do {
        let start = ContinuousClock.now
        let summary = try BenchmarkCaptureGenerator(configuration).write(to: arguments[1])
        let seconds = (ContinuousClock.now - start).components
        print("wrote \(arguments[1]): \(summary)")
        print(String(format: "in %.2f s", Double(seconds.seconds) + Double(seconds.attoseconds) / 1e18))
    } catch {
        fail("\(error)")
    }
} else {
    guard arguments.count == 1, !arguments[0].hasPrefix("-") else { fail(usage, code: 64) }
    do {
        let written = try BundledCaptures.write(to: arguments[0]) { print("note: \($0)") }
        for file in written { print("\(file.path): \(file.packets) packets") }
    } catch {
        fail("\(error)")
    }
}
