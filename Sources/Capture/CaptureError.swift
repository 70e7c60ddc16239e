/// Why a capture could not be opened, filtered, read or written. Each case's `description` is one
/// line written for the user; it names the file, interface or expression involved.
public enum CaptureError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened: it does not exist, is not readable, ... (`reason` is the system's text).
    case cannotRead(path: String, reason: String)
    /// The path is a directory.
    case isDirectory(path: String)
    /// The file has 0 bytes.
    case emptyFile(path: String)
    /// The file is neither pcap nor pcapng (`detail` is libpcap's text, e.g. "unknown file format").
    case notACapture(path: String, detail: String)
    /// The file is a capture, but it is cut short or corrupt before any packet could be read.
    case damaged(path: String, detail: String)
    /// A pcapng file whose interfaces have different link types, which libpcap cannot read.
    case mixedLinkTypes(path: String, detail: String)
    /// The BPF filter does not compile (`detail` is libpcap's reason, e.g. "syntax error").
    case badFilter(expression: String, detail: String)
    /// Live capture: the interface does not exist.
    case noSuchInterface(name: String)
    /// Live capture: the interface exists but is down.
    case interfaceDown(name: String)
    /// Live capture: not allowed to capture (needs root or CAP_NET_RAW).
    case permissionDenied(interface: String, detail: String)
    /// Live capture: any other failure to open or read the interface.
    case liveCaptureFailed(interface: String, detail: String)
    /// A capture file could not be created or written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason):
            return "cannot read capture '\(path)': \(reason)"
        case let .isDirectory(path):
            return "'\(path)' is a directory, not a capture file"
        case let .emptyFile(path):
            return "'\(path)' is empty (0 bytes): not a capture"
        case let .notACapture(path, detail):
            return "'\(path)' is not a pcap or pcapng capture (\(detail))"
        case let .damaged(path, detail):
            return "capture '\(path)' is damaged before its first packet: \(detail)"
        case let .mixedLinkTypes(path, detail):
            return "capture '\(path)' has interfaces with different link types, which libpcap cannot read (\(detail)); "
                + "save each interface's packets as a file of its own"
        case let .badFilter(expression, detail):
            return "bad filter expression '\(expression)': \(detail)"
        case let .noSuchInterface(name):
            return "no such interface '\(name)'"
        case let .interfaceDown(name):
            return "interface '\(name)' is down: bring it up first (ip link set \(name) up)"
        case let .permissionDenied(interface, detail):
            return "no permission to capture on '\(interface)' (\(detail)): run as root or grant CAP_NET_RAW: "
                + "sudo setcap cap_net_raw,cap_net_admin+eip $(command -v blockwatch)"
        case let .liveCaptureFailed(interface, detail):
            return "cannot capture on '\(interface)': \(detail)"
        case let .cannotWrite(path, reason):
            return "cannot write capture '\(path)': \(reason)"
        }
    }
}
