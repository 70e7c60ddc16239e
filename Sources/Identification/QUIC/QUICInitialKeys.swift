import Crypto
import _CryptoExtras
import Foundation

/// The client's Initial packet protection keys (RFC 9001 §5.2, RFC 9369 §3.3): derived from the
/// Destination Connection ID of the client's first Initial and a per-version salt, so anyone on
/// the path — BlockWatch, and censors — can remove them.
///
/// `@unchecked Sendable` because swift-crypto 3.12 does not mark `SymmetricKey` Sendable; it is
/// an immutable value (its storage is written once, at creation), so sharing it is safe.
struct QUICInitialKeys: @unchecked Sendable {
    /// About what one key set holds on the heap (the connection ID, the IV and two SymmetricKey
    /// boxes with their headers), for the payload budget; an estimate, not a measurement.
    static let estimatedBytes = 256

    let version: QUICVersion
    /// The connection ID the keys were derived from.
    let connectionID: [UInt8]
    /// AEAD_AES_128_GCM key.
    let key: SymmetricKey
    /// The 12-byte IV that, XORed with the packet number, makes the nonce.
    let iv: [UInt8]
    /// AES-128 key for header protection.
    let headerProtectionKey: SymmetricKey

    /// Nil when the version has no known salt.
    init?(version: QUICVersion, destinationConnectionID: some Collection<UInt8>) {
        guard let salt = version.initialSalt else { return nil }
        let connectionID = Array(destinationConnectionID)
        let secret = QUICInitialKeys.clientInitialSecretBytes(salt: salt, connectionID: connectionID)
        self.init(version: version, connectionID: connectionID, clientSecretBytes: secret)
    }

    init(version: QUICVersion, connectionID: [UInt8], clientSecret: SymmetricKey) {
        self.init(version: version, connectionID: connectionID,
                  clientSecretBytes: clientSecret.withUnsafeBytes { Array($0) })
    }

    private init(version: QUICVersion, connectionID: [UInt8], clientSecretBytes secret: [UInt8]) {
        let labels = version == .v2 ? QUICInitialKeys.v2Labels : QUICInitialKeys.v1Labels
        self.version = version
        self.connectionID = connectionID
        // One keyed HMAC for the three labels: the key's padded blocks are hashed once, not thrice.
        let keyed = InitialHKDF.KeyedHMAC(key: secret)
        key = SymmetricKey(data: labels.key.expand(keyed))
        iv = labels.iv.expand(keyed)
        headerProtectionKey = SymmetricKey(data: labels.hp.expand(keyed))
    }

    /// client_initial_secret = HKDF-Expand-Label(HKDF-Extract(salt, cid), "client in", "", 32).
    static func clientInitialSecret(salt: [UInt8], connectionID: [UInt8]) -> SymmetricKey {
        SymmetricKey(data: clientInitialSecretBytes(salt: salt, connectionID: connectionID))
    }

    static func clientInitialSecretBytes(salt: [UInt8], connectionID: [UInt8]) -> [UInt8] {
        let initialSecret = InitialHKDF.extract(salt: salt, inputKeyMaterial: connectionID)
        return clientIn.expand(InitialHKDF.KeyedHMAC(key: initialSecret))
    }

    /// An HKDF-Expand-Label whose output fits one HMAC block (all of QUIC's Initial secrets and
    /// keys), with its info built once: T(1) = HMAC(secret, info | 0x01).
    struct SingleBlockLabel: Sendable {
        let message: [UInt8]
        let length: Int

        init(_ label: String, length: Int) {
            precondition(length <= 32)
            let fullLabel = Array("tls13 \(label)".utf8)
            message = [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(fullLabel.count)] + fullLabel + [0, 1]
            self.length = length
        }

        func expand(_ keyed: InitialHKDF.KeyedHMAC) -> [UInt8] {
            let block = message.withUnsafeBytes { keyed.authenticate($0) }
            return length == block.count ? block : Array(block.prefix(length))
        }
    }

    static let clientIn = SingleBlockLabel("client in", length: 32)
    static let v1Labels = (key: SingleBlockLabel("quic key", length: 16), iv: SingleBlockLabel("quic iv", length: 12),
                           hp: SingleBlockLabel("quic hp", length: 16))
    /// QUIC v2 renamed the labels (RFC 9369 §3.3.2).
    static let v2Labels = (key: SingleBlockLabel("quicv2 key", length: 16), iv: SingleBlockLabel("quicv2 iv", length: 12),
                           hp: SingleBlockLabel("quicv2 hp", length: 16))

    /// TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1) with an empty context: the info is the
    /// output length (2 bytes), the label with its "tls13 " prefix (1-byte length), and an
    /// empty context (a zero length byte).
    static func expandLabel(_ secret: some ContiguousBytes, label: String, length: Int) -> SymmetricKey {
        SymmetricKey(data: expandLabelBytes(secret.withUnsafeBytes { Array($0) }, label: label, length: length))
    }

    static func expandLabelBytes(_ secret: [UInt8], label: String, length: Int) -> [UInt8] {
        expandLabelBytes(InitialHKDF.KeyedHMAC(key: secret), label: label, length: length)
    }

    static func expandLabelBytes(_ secret: InitialHKDF.KeyedHMAC, label: String, length: Int) -> [UInt8] {
        let fullLabel = Array("tls13 \(label)".utf8)
        var info: [UInt8] = [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(fullLabel.count)]
        info += fullLabel
        info.append(0)
        return InitialHKDF.expand(secret, info: info, length: length)
    }
}

/// HKDF with HMAC-SHA256 (RFC 5869, RFC 2104), built on swift-crypto's SHA-256. swift-crypto's
/// own `HKDF` and `HMAC` are correct but generic and slow here: about 300,000 instructions and
/// 200 allocations per key derivation, against a few thousand for this. The Initial keys are
/// public (derived from a connection ID sent in clear), so nothing secret passes through this.
enum InitialHKDF {
    static let blockSize = 64

    /// HMAC-SHA256 with its key's inner and outer padded blocks already hashed: each message
    /// then costs the hashing of the message alone (RFC 2104's own suggestion, §4).
    /// `@unchecked Sendable`: swift-crypto's `SHA256` is not marked Sendable, but these two are
    /// never changed after `init` (`authenticate` updates copies, and the digest copies its
    /// context before writing a shared one).
    struct KeyedHMAC: @unchecked Sendable {
        private let inner: SHA256
        private let outer: SHA256

        init(key: [UInt8]) {
            var block = [UInt8](repeating: 0, count: InitialHKDF.blockSize)
            if key.count > InitialHKDF.blockSize {
                var hash = SHA256()
                key.withUnsafeBytes { hash.update(bufferPointer: $0) }
                hash.finalize().withUnsafeBytes { digest in
                    for i in 0..<digest.count { block[i] = digest[i] }
                }
            } else {
                for i in 0..<key.count { block[i] = key[i] }
            }
            for i in 0..<InitialHKDF.blockSize { block[i] ^= 0x36 }
            var inner = SHA256()
            block.withUnsafeBytes { inner.update(bufferPointer: $0) }
            for i in 0..<InitialHKDF.blockSize { block[i] ^= 0x36 ^ 0x5C }
            var outer = SHA256()
            block.withUnsafeBytes { outer.update(bufferPointer: $0) }
            self.inner = inner
            self.outer = outer
        }

        func authenticate(_ message: UnsafeRawBufferPointer) -> [UInt8] {
            var inner = self.inner
            inner.update(bufferPointer: message)
            var outer = self.outer
            inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
            return outer.finalize().withUnsafeBytes { Array($0) }
        }
    }

    /// The versions' salts, keyed once: every Initial's extract step starts from one of them.
    private static let saltKeys: [[UInt8]: KeyedHMAC] = {
        var keys: [[UInt8]: KeyedHMAC] = [:]
        let versions: [QUICVersion] = [.v1, .v2] + (0xFF00_0016...0xFF00_0020).map { .draft($0) } + [.draft(0xFACE_B001), .draft(0xFACE_B002)]
        for salt in versions.compactMap(\.initialSalt) { keys[salt] = KeyedHMAC(key: salt) }
        return keys
    }()

    /// HKDF-Extract: HMAC(salt, input key material).
    static func extract(salt: [UInt8], inputKeyMaterial: [UInt8]) -> [UInt8] {
        let keyed = saltKeys[salt] ?? KeyedHMAC(key: salt)
        return inputKeyMaterial.withUnsafeBytes { keyed.authenticate($0) }
    }

    /// HKDF-Expand: T(1) | T(2) | ..., T(i) = HMAC(PRK, T(i-1) | info | i), cut to `length`.
    static func expand(pseudoRandomKey: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        expand(KeyedHMAC(key: pseudoRandomKey), info: info, length: length)
    }

    static func expand(_ keyed: KeyedHMAC, info: [UInt8], length: Int) -> [UInt8] {
        precondition(length <= 255 * 32, "HKDF-Expand output too long")
        var output: [UInt8] = []
        output.reserveCapacity(length + 32)
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            let message = previous + info + [counter]
            previous = message.withUnsafeBytes { keyed.authenticate($0) }
            output += previous
            counter &+= 1
        }
        return output.count == length ? output : Array(output.prefix(length))
    }

    /// HMAC-SHA256 (RFC 2104).
    static func hmacSHA256(key: [UInt8], message: UnsafeRawBufferPointer) -> [UInt8] {
        KeyedHMAC(key: key).authenticate(message)
    }
}

/// Removes header protection from one Initial packet and opens its payload (RFC 9001 §5.3–5.4).
/// One per flow: its buffers are reused for every packet.
struct QUICPacketOpener: Sendable {
    /// The unprotected header, packet number included: the AEAD's associated data.
    private var header: [UInt8] = []
    /// The header-protection sample, turned into the mask in place.
    private var mask = [UInt8](repeating: 0, count: 16)
    /// The largest packet number opened so far, to expand truncated ones (RFC 9000 §A.3).
    private(set) var largestPacketNumber: Int64 = -1

    init() {}

    /// The decrypted payload of `packet` with `keys`, or nil when it does not authenticate.
    mutating func open(_ packet: QUICLongHeader, with keys: QUICInitialKeys) -> Data? {
        let bytes = packet.packet
        let pnOffset = packet.packetNumberOffset
        // The sample is the 16 bytes that follow a 4-byte packet number, whatever its real length.
        let sampleOffset = pnOffset + 4
        guard sampleOffset + 16 <= bytes.count else { return nil }
        for index in 0..<16 { mask[index] = bytes[sampleOffset + index] }
        do {
            try AES.permute(&mask, key: keys.headerProtectionKey)
        } catch {
            return nil
        }

        header.removeAll(keepingCapacity: true)
        header.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<pnOffset]))
        // Long headers protect the low 4 bits of the first byte: reserved bits and PN length.
        header[0] ^= mask[0] & 0x0F
        let pnLength = Int(header[0] & 0x03) + 1
        guard pnOffset + pnLength + 16 <= bytes.count else { return nil }
        var truncated: UInt64 = 0
        for index in 0..<pnLength {
            let byte = bytes[pnOffset + index] ^ mask[1 + index]
            header.append(byte)
            truncated = truncated << 8 | UInt64(byte)
        }
        let packetNumber = QUICPacketOpener.decodePacketNumber(truncated: truncated, length: pnLength,
                                                               largest: largestPacketNumber)

        var nonce = keys.iv
        for index in 0..<8 { nonce[4 + index] ^= UInt8(truncatingIfNeeded: UInt64(packetNumber) >> (56 - 8 * index)) }
        let payloadStart = pnOffset + pnLength
        let tagStart = bytes.count - 16
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce),
                                            ciphertext: UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<tagStart]),
                                            tag: UnsafeRawBufferPointer(rebasing: bytes[tagStart...]))
            let plaintext = try AES.GCM.open(box, using: keys.key, authenticating: header)
            largestPacketNumber = max(largestPacketNumber, packetNumber)
            return plaintext
        } catch {
            return nil
        }
    }

    /// Expands a packet number sent in `length` bytes to the full value closest to the next one
    /// expected (RFC 9000 §A.3).
    static func decodePacketNumber(truncated: UInt64, length: Int, largest: Int64) -> Int64 {
        let expected = largest + 1
        let window = Int64(1) << (8 * length)
        let halfWindow = window / 2
        let candidate = (expected & ~(window - 1)) | Int64(truncated)
        if candidate <= expected - halfWindow, candidate < (Int64(1) << 62) - window { return candidate + window }
        if candidate > expected + halfWindow, candidate >= window { return candidate - window }
        return candidate
    }
}
