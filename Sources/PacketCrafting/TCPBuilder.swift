/// A TCP segment (RFC 9293): ports, numbers, flags, window, options and payload; the checksum
/// is computed over the pseudo-header unless overridden.
public struct TCPBuilder: TransportSegment {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    public var flags: Flags
    public var window: UInt16
    public var urgentPointer: UInt16
    public var options: [Option]
    public var payload: [UInt8]
    /// Writes this data offset (in 32-bit words) instead of the real one.
    public var dataOffsetOverride: UInt8?
    /// Writes this checksum instead of the correct one.
    public var checksumOverride: UInt16?

    /// A segment; the acknowledgment number is written whatever the flags say.
    public init(sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: UInt32 = 0, acknowledgmentNumber: UInt32 = 0,
                flags: Flags, window: UInt16 = 64240, options: [Option] = [], payload: [UInt8] = []) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.flags = flags
        self.window = window
        self.urgentPointer = 0
        self.options = options
        self.payload = payload
        self.dataOffsetOverride = nil
        self.checksumOverride = nil
    }

    public var ipProtocol: UInt8 { IPProtocolNumber.tcp }

    /// The encoded options, padded with End-of-Option-List bytes to a multiple of four.
    public var encodedOptions: [UInt8] {
        var bytes: [UInt8] = []
        for option in options { bytes += option.encoded }
        bytes.padWithZeros(toMultipleOf: 4)
        return bytes
    }

    public func serialized(source: HostAddress, destination: HostAddress) -> [UInt8] {
        let optionBytes = encodedOptions
        precondition(optionBytes.count <= 40, "TCP options are limited to 40 bytes")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + optionBytes.count + payload.count)
        bytes.appendBigEndian(sourcePort)
        bytes.appendBigEndian(destinationPort)
        bytes.appendBigEndian(sequenceNumber)
        bytes.appendBigEndian(acknowledgmentNumber)
        let offset = dataOffsetOverride ?? UInt8((20 + optionBytes.count) / 4)
        bytes.append(offset << 4)
        bytes.append(flags.rawValue)
        bytes.appendBigEndian(window)
        bytes.appendBigEndian(UInt16(0))
        bytes.appendBigEndian(urgentPointer)
        bytes += optionBytes
        bytes += payload
        let checksum = checksumOverride
            ?? Checksum.transport(bytes, source: source, destination: destination, protocolNumber: ipProtocol)
        bytes.storeBigEndian(checksum, at: 16)
        return bytes
    }
}

extension TCPBuilder {
    /// The eight TCP flag bits of the header's 14th byte.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let fin = Flags(rawValue: 0x01)
        public static let syn = Flags(rawValue: 0x02)
        public static let rst = Flags(rawValue: 0x04)
        public static let psh = Flags(rawValue: 0x08)
        public static let ack = Flags(rawValue: 0x10)
        public static let urg = Flags(rawValue: 0x20)
        public static let ece = Flags(rawValue: 0x40)
        public static let cwr = Flags(rawValue: 0x80)
    }

    /// A TCP option (RFC 9293 §3.2, RFC 7323, RFC 2018).
    public enum Option: Sendable, Hashable {
        case endOfOptionList
        case noOperation
        case maximumSegmentSize(UInt16)
        case windowScale(UInt8)
        case sackPermitted
        /// SACK blocks as (left edge, right edge) sequence numbers; at most four fit.
        case sack([SACKBlock])
        case timestamps(value: UInt32, echoReply: UInt32)
        /// Any other option: kind and data (the length byte is computed).
        case other(kind: UInt8, data: [UInt8])

        /// The option's bytes.
        public var encoded: [UInt8] {
            var bytes: [UInt8] = []
            switch self {
            case .endOfOptionList:
                bytes = [0]
            case .noOperation:
                bytes = [1]
            case .maximumSegmentSize(let mss):
                bytes = [2, 4]
                bytes.appendBigEndian(mss)
            case .windowScale(let shift):
                bytes = [3, 3, shift]
            case .sackPermitted:
                bytes = [4, 2]
            case .sack(let blocks):
                precondition(blocks.count <= 4, "at most four SACK blocks fit in the options")
                bytes = [5, UInt8(2 + 8 * blocks.count)]
                for block in blocks {
                    bytes.appendBigEndian(block.left)
                    bytes.appendBigEndian(block.right)
                }
            case .timestamps(let value, let echo):
                bytes = [8, 10]
                bytes.appendBigEndian(value)
                bytes.appendBigEndian(echo)
            case .other(let kind, let data):
                bytes = [kind, UInt8(2 + data.count)] + data
            }
            return bytes
        }

        /// The options a Linux client puts on its SYN: MSS, SACK-permitted, timestamps, NOP, window scale (20 bytes).
        public static func linuxSYN(mss: UInt16 = 1460, timestamp: UInt32, echo: UInt32 = 0, windowScale: UInt8 = 7) -> [Option] {
            [.maximumSegmentSize(mss), .sackPermitted, .timestamps(value: timestamp, echoReply: echo), .noOperation, .windowScale(windowScale)]
        }

        /// Timestamps as Linux pads them on non-SYN segments: NOP, NOP, timestamps (12 bytes).
        public static func paddedTimestamps(value: UInt32, echo: UInt32) -> [Option] {
            [.noOperation, .noOperation, .timestamps(value: value, echoReply: echo)]
        }
    }

    /// One SACK block: the received range [left, right) in sequence space.
    public struct SACKBlock: Sendable, Hashable {
        public var left: UInt32
        public var right: UInt32
        public init(left: UInt32, right: UInt32) {
            self.left = left
            self.right = right
        }
    }
}
