import Capture
import Identification
import Reports

/// Everything that can stop a BlockWatch run, each with a one-line message for the user.
public enum BlockWatchError: Error, CustomStringConvertible {
    case capture(CaptureError)
    case unsupportedLinkType(source: String, linkType: LinkType)
    case output(TextOutput.Failure)
    case signatures(SignatureError)
    /// An argument the command line could not check itself (a time zone name, ...).
    case usage(String)

    public var description: String {
        switch self {
        case .capture(let error):
            error.description
        case .unsupportedLinkType(let source, let linkType):
            "'\(source)' has link type \(linkType), which BlockWatch does not decode "
                + "(supported: Ethernet, 802.1Q/QinQ, Linux cooked SLL and SLL2, raw IP, null/loopback)"
        case .output(let failure):
            failure.description
        case .signatures(let error):
            error.description
        case .usage(let message):
            message
        }
    }
}
