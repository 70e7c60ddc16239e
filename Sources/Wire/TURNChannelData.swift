/// A view of a TURN ChannelData message (RFC 8656 §12.4): a 2-byte channel number in
/// 0x4000–0x7FFF, a 2-byte length, then application data — how relayed call media travels once
/// a channel is bound, with no STUN header around it.
public struct TURNChannelData {
    /// The message, header included, trimmed to its length field (padding excluded).
    public let bytes: UnsafeRawBufferPointer

    public static let headerLength = 4

    /// Validates the channel-number range (its top two bits, 01, tell it apart from STUN's 00)
    /// and that the data the length promises is present. Over TCP the message is padded to 4
    /// bytes; over UDP padding is optional, so bytes after the data are allowed.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= TURNChannelData.headerLength else { return nil }
        let channel = bytes.uint16(at: 0)
        guard channel >= 0x4000, channel <= 0x7FFF else { return nil }
        let length = TURNChannelData.headerLength + Int(bytes.uint16(at: 2))
        guard length <= bytes.count else { return nil }
        self.bytes = bytes.slice(from: 0, length: length)
    }

    @inlinable public var channelNumber: UInt16 { bytes.uint16(at: 0) }
    /// The data length.
    @inlinable public var length: Int { Int(bytes.uint16(at: 2)) }
    @inlinable public var data: UnsafeRawBufferPointer { bytes.suffix(from: TURNChannelData.headerLength) }
    /// The length this message takes in a TCP stream, padding to 4 bytes included.
    @inlinable public var paddedLength: Int { (bytes.count + 3) & ~3 }
}
