import Crypto
import _CryptoExtras
import PacketCrafting

/// AES-256-CTR with a 128-bit big-endian counter, as MTProto's obfuscated2 uses it; one per
/// direction, continuing across writes.
public struct AESCounterStream {
    private let key: SymmetricKey
    private var counter: [UInt8]
    private var keystream: [UInt8] = []
    private var used = 16

    public init(key: [UInt8], iv: [UInt8]) {
        precondition(key.count == 32 && iv.count == 16)
        self.key = SymmetricKey(data: key)
        counter = iv
    }

    public mutating func apply(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for index in out.indices {
            if used == 16 {
                keystream = counter
                // The block cipher on the counter is the keystream (CTR mode).
                try! AES.permute(&keystream, key: key)
                used = 0
                var carry = true
                for position in stride(from: 15, through: 0, by: -1) where carry {
                    counter[position] &+= 1
                    carry = counter[position] == 0
                }
            }
            out[index] ^= keystream[used]
            used += 1
        }
        return out
    }
}

/// A Telegram client's obfuscated2 connection to a DC (core.telegram.org/mtproto/mtproto-transports):
/// the 64-byte init block and the encrypted abridged frames that follow it.
public struct MTProtoObfuscatedClient {
    public let initBlock: [UInt8]
    private var encryptor: AESCounterStream

    /// A fresh init block for abridged transport (tag efefefef) and data centre `dc`.
    public init(random: inout DeterministicRandom, dc: Int16) {
        var block: [UInt8]
        repeat {
            block = random.bytes(64)
        } while !MTProtoObfuscatedClient.isPermitted(block)
        block[56] = 0xEF; block[57] = 0xEF; block[58] = 0xEF; block[59] = 0xEF
        let dcBits = UInt16(bitPattern: dc)
        block[60] = UInt8(dcBits & 0xFF)
        block[61] = UInt8(dcBits >> 8)
        var stream = AESCounterStream(key: Array(block[8..<40]), iv: Array(block[40..<56]))
        let encrypted = stream.apply(block)
        // Only the tail of the encrypted block travels; bytes 0..<56 stay as generated.
        for index in 56..<64 { block[index] = encrypted[index] }
        initBlock = block
        encryptor = stream
    }

    static func isPermitted(_ block: [UInt8]) -> Bool {
        if block[0] == 0xEF { return false }
        let first = be32(block, 0)
        let second = be32(block, 4)
        if second == 0 { return false }
        return ![0x4845_4144, 0x504F_5354, 0x4745_5420, 0x4F50_5449, 0x1603_0102, 0xDDDD_DDDD, 0xEEEE_EEEE].contains(first)
    }

    /// One abridged frame (length in 4-byte words, then the message), encrypted.
    public mutating func frame(_ message: [UInt8]) -> [UInt8] {
        precondition(message.count % 4 == 0)
        let words = message.count / 4
        var plain: [UInt8] = words < 0x7F ? [UInt8(words)] : [0x7F, UInt8(words & 0xFF), UInt8((words >> 8) & 0xFF), UInt8(words >> 16)]
        plain += message
        return encryptor.apply(plain)
    }

    /// The unencrypted `req_pq_multi` that opens a key exchange: auth_key_id 0, msg_id, length, body.
    public static func requestPQ(random: inout DeterministicRandom, unixTime: UInt32) -> [UInt8] {
        var message: [UInt8] = []
        message.appendLE64(0)
        message.appendLE64(UInt64(unixTime) << 32 | UInt64(random.nextUInt32() & ~3))
        message.appendLE32(20)
        message.appendLE32(0xBE7E_8EF1)
        message += random.bytes(16)
        return message
    }
}
