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
        let secret = QUICInitialKeys.clientInitialSecret(salt: salt, connectionID: Array(destinationConnectionID))
        self.init(version: version, connectionID: Array(destinationConnectionID), clientSecret: secret)
    }

    init(version: QUICVersion, connectionID: [UInt8], clientSecret: SymmetricKey) {
        let labels = version.keyLabels
        self.version = version
        self.connectionID = connectionID
        key = QUICInitialKeys.expandLabel(clientSecret, label: labels.key, length: 16)
        iv = QUICInitialKeys.expandLabel(clientSecret, label: labels.iv, length: 12).withUnsafeBytes { Array($0) }
        headerProtectionKey = QUICInitialKeys.expandLabel(clientSecret, label: labels.hp, length: 16)
    }

    /// client_initial_secret = HKDF-Expand-Label(HKDF-Extract(salt, cid), "client in", "", 32).
    static func clientInitialSecret(salt: [UInt8], connectionID: [UInt8]) -> SymmetricKey {
        let initialSecret = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: connectionID), salt: salt)
        return expandLabel(initialSecret, label: "client in", length: 32)
    }

    /// TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1) with an empty context: the info is the
    /// output length (2 bytes), the label with its "tls13 " prefix (1-byte length), and an
    /// empty context (a zero length byte).
    static func expandLabel(_ secret: some ContiguousBytes, label: String, length: Int) -> SymmetricKey {
        let fullLabel = Array("tls13 \(label)".utf8)
        var info: [UInt8] = [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(fullLabel.count)]
        info += fullLabel
        info.append(0)
        return HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
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
