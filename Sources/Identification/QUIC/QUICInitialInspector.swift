import Foundation
import Wire

/// Reads the ClientHello out of a QUIC flow's client Initial packets (RFC 9000, RFC 9001,
/// RFC 9369): parses the long headers of each datagram (coalesced packets included), derives
/// the Initial keys from the client's first Destination Connection ID, removes header
/// protection, decrypts, and reassembles the CRYPTO frames until a whole ClientHello is there.
///
/// One per UDP flow that looks like QUIC. Feed it the client→server UDP payloads in capture
/// order until the result is final (anything but `.needMore`); after that it answers the same
/// without looking. Memory is bounded per flow: at most `QUICCryptoStream.capacity` bytes of
/// CRYPTO data, `maximumDatagrams` datagrams and `maximumInitialPackets` Initial packets.
public struct QUICInitialInspector: Sendable {
    /// Datagrams looked at before giving up on a ClientHello that never completes.
    public static let maximumDatagrams = 16
    /// Initial packets decrypted before giving up (Chrome's hello takes two; retransmits add more).
    public static let maximumInitialPackets = 12
    /// Key sets tried per flow: the first DCID's, and after a Retry or version change, new ones.
    static let maximumKeySets = 4

    private var result: QUICInspection?
    private var datagrams = 0
    private var initialPackets = 0
    /// The DCID of the first client Initial: the key for the whole flight (RFC 9001 §5.2).
    private var originalDestinationConnectionID: [UInt8]?
    /// Key sets derived so far; the first is the one that last opened a packet.
    private var keySets: [QUICInitialKeys] = []
    /// Every key set derived for this flow, by version and connection ID, kept beyond `finish`
    /// so that a new inspector for the same flow (after an Initial that did not authenticate)
    /// starts from them instead of deriving them again.
    private(set) var keyCache: [QUICInitialKeys] = []
    private var opener = QUICPacketOpener()
    private var crypto = QUICCryptoStream()
    /// The version of the keys that opened the packets the stream came from.
    private var cryptoVersion: QUICVersion?
    private var sawLongHeader = false
    private var openedAny = false

    public init() {}

    /// Heap bytes the inspector holds, for the payload budget: the CRYPTO stream, the DCID and
    /// the key sets (estimated; they live in swift-crypto's boxes).
    var retainedBytes: Int {
        crypto.retainedBytes + (originalDestinationConnectionID?.capacity ?? 0)
            + (keySets.count + keyCache.count) * QUICInitialKeys.estimatedBytes
    }

    /// An inspector that reuses keys an earlier inspector of the same flow derived.
    init(keyCache: [QUICInitialKeys]) {
        self.keyCache = keyCache
    }

    /// Feeds one client→server UDP payload and says what is known so far.
    public mutating func addClientDatagram(_ payload: UnsafeRawBufferPointer) -> QUICInspection {
        if let result { return result }
        datagrams += 1
        var offset = 0
        var truncated = false
        var unopened = false
        var unsupported: QUICVersion?

        // Coalesced packets (RFC 9000 §12.2) follow one another; a short header or padding ends them.
        packets: while offset < payload.count {
            switch QUICLongHeader.parse(UnsafeRawBufferPointer(rebasing: payload[offset...])) {
            case .packet(let packet):
                sawLongHeader = true
                offset += packet.packet.count
                guard packet.type == .initial else { continue }
                if initialPackets >= QUICInitialInspector.maximumInitialPackets { break packets }
                guard open(packet) else {
                    unopened = true
                    continue
                }
                if let done = checkClientHello() { return finish(done) }
            case .truncated:
                truncated = true
                break packets
            case .unsupportedVersion(let version):
                unsupported = version
                break packets
            case .notLongHeader, .invalid:
                break packets
            }
        }

        if !openedAny {
            // Nothing decrypted yet: decide from this datagram whether waiting can help.
            if !sawLongHeader {
                if let unsupported { return finish(.undecryptable(.unsupportedVersion(unsupported))) }
                if truncated { return finish(.undecryptable(.truncated)) }
                return finish(.notQUIC)
            }
            if unopened { return finish(.undecryptable(.authenticationFailed)) }
            if truncated { return finish(.undecryptable(.truncated)) }
        }
        if datagrams >= QUICInitialInspector.maximumDatagrams || initialPackets >= QUICInitialInspector.maximumInitialPackets {
            return finish(.undecryptable(.incompleteClientHello))
        }
        return .needMore
    }

    private mutating func finish(_ inspection: QUICInspection) -> QUICInspection {
        result = inspection
        // The flow is decided: release the CRYPTO buffer and keys now, not when the flow expires.
        keySets = []
        crypto = QUICCryptoStream()
        return inspection
    }

    /// Decrypts one Initial and adds its CRYPTO frames to the stream; false when no key opened it.
    private mutating func open(_ packet: QUICLongHeader) -> Bool {
        let dcid = packet.destinationConnectionID
        if originalDestinationConnectionID == nil { originalDestinationConnectionID = Array(dcid) }

        var plaintext: Data?
        var current = true
        if let keys = keySets.first, keys.version == packet.version {
            plaintext = opener.open(packet, with: keys)
        }
        if plaintext == nil {
            // Keys that were replaced: a late packet from before a Retry or version change. It
            // counts as opened, but its CRYPTO data belongs to the abandoned handshake.
            for keys in keySets.dropFirst() where keys.version == packet.version {
                if let opened = opener.open(packet, with: keys) {
                    plaintext = opened
                    current = false
                    break
                }
            }
        }
        if plaintext == nil {
            // New keys: the first DCID under this (possibly new) version, then this packet's own
            // DCID, which a client uses after a Retry (RFC 9001 §5.2).
            for source in [originalDestinationConnectionID ?? [], Array(dcid)] {
                guard keySets.count < QUICInitialInspector.maximumKeySets,
                      !keySets.contains(where: { $0.version == packet.version && $0.connectionID == source }),
                      let keys = cachedKeys(version: packet.version, connectionID: source) else { continue }
                keySets.append(keys)
                if let opened = opener.open(packet, with: keys) {
                    plaintext = opened
                    keySets.swapAt(0, keySets.count - 1)
                    // After a Retry or a version change the client starts its handshake again.
                    if openedAny { crypto.reset() }
                    break
                }
            }
        }
        guard let plaintext else { return false }
        openedAny = true
        initialPackets += 1
        guard current else { return true }
        cryptoVersion = packet.version
        plaintext.withUnsafeBytes { bytes in
            for frame in QUICInitialFrames(bytes) {
                if case .crypto(let offset, let data) = frame { crypto.insert(offset: offset, data: data) }
            }
        }
        return true
    }

    /// The keys for `connectionID` under `version`: from the cache, or derived once and cached.
    private mutating func cachedKeys(version: QUICVersion, connectionID: [UInt8]) -> QUICInitialKeys? {
        if let keys = keyCache.first(where: { $0.version == version && $0.connectionID == connectionID }) { return keys }
        guard let keys = QUICInitialKeys(version: version, destinationConnectionID: connectionID) else { return nil }
        if keyCache.count >= QUICInitialInspector.maximumKeySets { keyCache.removeFirst() }
        keyCache.append(keys)
        return keys
    }

    /// The final answer once the stream holds a whole ClientHello or cannot, nil while waiting.
    private func checkClientHello() -> QUICInspection? {
        switch crypto.status {
        case .incomplete:
            return nil
        case .notClientHello:
            return .undecryptable(.malformedClientHello)
        case .tooLarge:
            return .undecryptable(.clientHelloTooLarge)
        case .complete(let length):
            return crypto.withBytes(length: length) { bytes in
                guard let hello = TLSClientHello(handshake: bytes) else { return .undecryptable(.malformedClientHello) }
                return .clientHello(QUICClientHelloSummary(
                    version: cryptoVersion ?? .v1,
                    serverName: hello.serverName,
                    alpn: hello.alpn?.strings ?? [],
                    hasEncryptedClientHello: hello.hasEncryptedClientHello,
                    originalDestinationConnectionID: originalDestinationConnectionID ?? []))
            }
        }
    }

    /// A cheap first test, without decryption: does this UDP payload hold a long-header Initial
    /// of a version BlockWatch can decrypt? An Initial cut short by the capture's snap length
    /// counts: the inspector then reports it as truncated rather than leaving the flow unnamed.
    public static func looksLikeInitial(_ payload: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < payload.count {
            switch QUICLongHeader.parse(UnsafeRawBufferPointer(rebasing: payload[offset...])) {
            case .packet(let packet):
                // The header-protection sample must be there: 4 bytes past the packet number start.
                if packet.type == .initial { return packet.packetNumberOffset + 20 <= packet.packet.count }
                offset += packet.packet.count
            case .truncated(_, let type):
                return type == .initial
            case .notLongHeader, .unsupportedVersion, .invalid:
                return false
            }
        }
        return false
    }
}

/// What a `QUICInitialInspector` knows about a flow so far.
public enum QUICInspection: Equatable, Sendable {
    /// The first datagram is not a QUIC long-header packet.
    case notQUIC
    /// QUIC, but the ClientHello is not complete yet: feed the next client datagram.
    case needMore
    /// The ClientHello, decrypted and reassembled.
    case clientHello(QUICClientHelloSummary)
    /// QUIC whose ClientHello cannot be read, and why.
    case undecryptable(QUICUndecryptableReason)

    /// Whether feeding more datagrams can change the answer.
    public var isFinal: Bool { self != .needMore }
}

/// Why a QUIC flow's ClientHello could not be read.
public enum QUICUndecryptableReason: Equatable, Sendable {
    /// A long header of a version whose Initial keys are unknown (Google QUIC Q046/Q050/T051,
    /// drafts before 22, versions newer than BlockWatch).
    case unsupportedVersion(QUICVersion)
    /// The Initial did not authenticate with keys from its connection IDs: the capture missed
    /// the client's first Initial, or the bytes are damaged.
    case authenticationFailed
    /// The first Initial was cut short (capture snap length) before the end its Length announces.
    case truncated
    /// The CRYPTO stream does not hold a well-formed ClientHello.
    case malformedClientHello
    /// The ClientHello announces more than the 16 KB the inspector keeps per flow.
    case clientHelloTooLarge
    /// The limits on datagrams or Initial packets were reached with parts of the hello missing.
    case incompleteClientHello
}

/// The names and facts of a QUIC flow's ClientHello.
public struct QUICClientHelloSummary: Equatable, Sendable {
    /// The version of the Initial packets the hello came in.
    public var version: QUICVersion
    /// The SNI host name, if the hello has one.
    public var serverName: String?
    /// The offered ALPN ids ("h3", "h3-29", ...), in order.
    public var alpn: [String]
    /// Whether the hello carries encrypted_client_hello (0xfe0d). Chrome sends a GREASE one when
    /// it has no ECH config, so presence alone does not prove the name above is a cover name.
    public var hasEncryptedClientHello: Bool
    /// The Destination Connection ID of the client's first Initial (the key derivation input).
    public var originalDestinationConnectionID: [UInt8]

    public init(version: QUICVersion, serverName: String?, alpn: [String], hasEncryptedClientHello: Bool,
                originalDestinationConnectionID: [UInt8]) {
        self.version = version
        self.serverName = serverName
        self.alpn = alpn
        self.hasEncryptedClientHello = hasEncryptedClientHello
        self.originalDestinationConnectionID = originalDestinationConnectionID
    }
}
