#if canImport(Glibc)
import Glibc
#endif

/// Splits tcpdump-style arguments into capture files and a trailing filter expression:
/// leading arguments that name existing paths, or look like capture files, are files; the
/// rest is the BPF expression.
public enum CaptureInputs {
    public static func split(_ arguments: [String]) -> (files: [String], filter: String?) {
        var files: [String] = []
        var index = 0
        while index < arguments.count, looksLikeCapture(arguments[index]) {
            files.append(arguments[index])
            index += 1
        }
        let rest = arguments[index...].joined(separator: " ")
        return (files, rest.isEmpty ? nil : rest)
    }

    static func looksLikeCapture(_ argument: String) -> Bool {
        if access(argument, F_OK) == 0 { return true }
        let lowered = argument.lowercased()
        return argument.contains("/")
            || [".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".dmp"].contains { lowered.hasSuffix($0) }
    }
}
