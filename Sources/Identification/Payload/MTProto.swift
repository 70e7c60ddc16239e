import Crypto
import _CryptoExtras

// Telegram's obfuscated2 init block is 64 random-looking bytes whose bytes 8..<40 and 40..<56
// are the AES-256-CTR key and IV of the client's stream, with the transport tag encrypted at
// 56..<60. For a direct connection to a Telegram DC an observer derives the same keystream and
// reads the tag; a random block passes with probability 3·2⁻³². Through an MTProxy the key is
// mixed with the proxy's secret, and the block stays opaque without it.

/// The framing a Telegram client chose for MTProto (core.telegram.org/mtproto/mtproto-transports).
public enum MTProtoTransport: String, Sendable, CaseIterable {
    /// Tag `0xef`: a 1- or 4-byte length in 4-byte words.
    case abridged
    /// Tag `0xeeeeeeee`: a 4-byte little-endian length.
    case intermediate
    /// Tag `0xdddddddd`: intermediate with 0–15 random padding bytes per frame.
    case paddedIntermediate = "padded intermediate"
    /// No tag: length, sequence number and CRC32 around each message.
    case full
}

/// Reads the transport tag out of Telegram's obfuscated2 init block (its first 64 bytes).
public enum MTProtoObfuscated2 {
    public static let initLength = 64

    /// The decrypted tail of an init block.
    public struct Header: Equatable, Sendable {
        public var transport: MTProtoTransport
        /// The signed little-endian DC number at 60..<62 (negative for media DCs, +10000 on test
        /// servers); clients that leave it random make it meaningless.
        public var dataCenter: Int16

        public init(transport: MTProtoTransport, dataCenter: Int16) {
            self.transport = transport
            self.dataCenter = dataCenter
        }
    }

    /// Whether the first bytes could start an init block: clients re-roll blocks that another
    /// transport, HTTP or TLS could be mistaken for, so those never are one.
    static func isPermittedStart(_ bytes: PayloadBytes) -> Bool {
        guard let first = bytes.uint32(0), let second = bytes.uint32(4) else { return false }
        if first >> 24 == 0xEF || second == 0 { return false }
        switch first {
        case 0x4845_4144,  // "HEAD"
             0x504F_5354,  // "POST"
             0x4745_5420,  // "GET "
             0x4F50_5449,  // "OPTI"
             0x1603_0102,  // a TLS handshake record's first bytes
             0xDDDD_DDDD, 0xEEEE_EEEE:
            return false
        default:
            return true
        }
    }

    /// Decrypts the tag of `initBlock` (its first 64 bytes) as a client's direct connection
    /// would have encrypted it. With an MTProxy `proxySecret` (its 16 key bytes) the key is
    /// SHA-256(key ‖ secret) instead. Nil when the block is short, starts with a reserved value,
    /// or the tag is not one of the three.
    public static func decode(_ initBlock: UnsafeRawBufferPointer,
                              proxySecret: UnsafeRawBufferPointer? = nil) -> Header? {
        let bytes = PayloadBytes(initBlock)
        guard bytes.count >= initLength, isPermittedStart(bytes) else { return nil }
        let keyBytes = bytes.slice(from: 8, length: 32)
        let key: SymmetricKey
        if let proxySecret {
            guard proxySecret.count >= 16 else { return nil }
            var hash = SHA256()
            hash.update(bufferPointer: keyBytes)
            hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: proxySecret[0..<16]))
            key = SymmetricKey(data: hash.finalize())
        } else {
            key = SymmetricKey(data: keyBytes)
        }
        // CTR: bytes 48..<64 are encrypted with the keystream block E(IV + 3), a 128-bit
        // big-endian counter; the tag sits at offset 8 of that block.
        guard var high = bytes.uint64(40), var low = bytes.uint64(48) else { return nil }
        let (sum, overflow) = low.addingReportingOverflow(3)
        low = sum
        if overflow { high &+= 1 }
        let plain: (tag: UInt32, dc: UInt16)? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { block in
            for index in 0..<8 {
                block[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
                block[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
            }
            // Encrypting the counter in place turns the block into the keystream.
            var keystream = block
            guard (try? AES.permute(&keystream, key: key)) != nil else { return nil }
            let tag = UInt32(bytes.buffer[56] ^ keystream[8]) << 24 | UInt32(bytes.buffer[57] ^ keystream[9]) << 16
                | UInt32(bytes.buffer[58] ^ keystream[10]) << 8 | UInt32(bytes.buffer[59] ^ keystream[11])
            let dc = UInt16(bytes.buffer[60] ^ keystream[12]) | UInt16(bytes.buffer[61] ^ keystream[13]) << 8
            return (tag, dc)
        }
        guard let plain, let transport = MTProtoSignature.transport(tag: plain.tag) else { return nil }
        return Header(transport: transport, dataCenter: Int16(bitPattern: plain.dc))
    }
}

/// MTProto at the start of a client's TCP stream: an obfuscated2 init block, or one of the plain
/// transports. The plain ones are accepted only with strong structure behind the tag.
enum MTProtoSignature {
    static func transport(tag: UInt32) -> MTProtoTransport? {
        switch tag {
        case 0xEFEF_EFEF: .abridged
        case 0xEEEE_EEEE: .intermediate
        case 0xDDDD_DDDD: .paddedIntermediate
        default: nil
        }
    }

    static func match(_ client: PayloadBytes) -> PayloadMatch? {
        if let transport = plainTransport(client) {
            return PayloadMatch(applicationProtocol: .mtproto, app: PayloadService.telegram, detail: transport.rawValue)
        }
        guard let header = MTProtoObfuscated2.decode(client.buffer) else { return nil }
        let detail: String = switch header.transport {
        case .abridged: "obfuscated2 abridged"
        case .intermediate: "obfuscated2 intermediate"
        case .paddedIntermediate: "obfuscated2 padded intermediate"
        case .full: "obfuscated2 full"
        }
        return PayloadMatch(applicationProtocol: .mtproto, app: PayloadService.telegram, detail: detail)
    }

    /// Largest frame a plain transport announces (the protocol caps messages near 16 MB).
    static let maximumFrame: UInt32 = 1 << 24

    /// A plain (non-obfuscated) transport at the stream's start.
    static func plainTransport(_ bytes: PayloadBytes) -> MTProtoTransport? {
        guard let first = bytes.byte(0) else { return nil }
        switch bytes.uint32(0) {
        case 0xEEEE_EEEE?:
            // The 4-byte tag may arrive alone; otherwise the first frame's length must be sane.
            guard let length = bytes.littleUInt32(4) else { return bytes.count == 4 ? .intermediate : nil }
            return length >= 24 && length <= maximumFrame && length % 4 == 0 ? .intermediate : nil
        case 0xDDDD_DDDD?:
            guard let length = bytes.littleUInt32(4) else { return bytes.count == 4 ? .paddedIntermediate : nil }
            return length >= 24 && length <= maximumFrame + 15 ? .paddedIntermediate : nil
        default:
            break
        }
        if first == 0xEF {
            // One length byte in words, or 0x7f and three more. A lone 0xef is too little to go on.
            guard let short = bytes.byte(1) else { return nil }
            let (frame, start): (Int, Int)
            if short < 0x7F {
                (frame, start) = (Int(short) * 4, 2)
            } else if short == 0x7F, let long = bytes.littleUInt32(1) {
                (frame, start) = (Int(long >> 8) * 4, 5)
            } else {
                return nil
            }
            return isUnencryptedMessage(bytes, at: start, length: frame) ? .abridged : nil
        }
        // Full: length(4) seq(4) message crc32(4), the first sequence number 0.
        if let length = bytes.littleUInt32(0), bytes.littleUInt32(4) == 0, length % 4 == 0,
           length >= 12 + 20, length <= maximumFrame,
           isUnencryptedMessage(bytes, at: 8, length: Int(length) - 12) {
            let frame = Int(length)
            if bytes.count >= frame, let crc = bytes.littleUInt32(frame - 4) {
                return crc == crc32(bytes.slice(from: 0, length: frame - 4)) ? .full : nil
            }
            return .full
        }
        return nil
    }

    /// Whether an unencrypted MTProto message (the DH handshake's, which opens a connection
    /// without a key) of `length` bytes starts at `offset`: auth_key_id 0, a client msg_id
    /// (unix time × 2³², divisible by 4) and a message_data_length that fills the frame.
    static func isUnencryptedMessage(_ bytes: PayloadBytes, at offset: Int, length: Int) -> Bool {
        guard length >= 20 + 4, bytes.isAll(0, from: offset, length: 8),
              let messageID = bytes.littleUInt64(offset + 8),
              let dataLength = bytes.littleUInt32(offset + 16) else { return false }
        return messageID & 3 == 0
            && PayloadPlausibility.unixTimes.contains(UInt32(truncatingIfNeeded: messageID >> 32))
            && Int(dataLength) == length - 20
    }

    /// CRC-32 (IEEE, reflected), bitwise: the full transport's frames are checked once per flow.
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
