/// One long-header packet (RFC 9000 §17.2) at the front of a datagram's remaining bytes, parsed
/// up to the (still protected) packet number. Views borrow the datagram.
struct QUICLongHeader {
    /// The packet: header, packet number and payload; for Retry and unknown versions, the rest
    /// of the datagram.
    let packet: UnsafeRawBufferPointer
    let version: QUICVersion
    let type: QUICLongPacketType
    let destinationConnectionID: UnsafeRawBufferPointer
    let sourceConnectionID: UnsafeRawBufferPointer
    /// The Initial's token (empty for other types).
    let token: UnsafeRawBufferPointer
    /// Where the protected packet number starts (Initial, 0-RTT, Handshake).
    let packetNumberOffset: Int

    /// The longest connection ID QUIC v1 and v2 allow (RFC 9000 §17.2).
    static let maximumConnectionIDLength = 20

    /// What the bytes at the front of a datagram turned out to be.
    enum Parse {
        case packet(QUICLongHeader)
        /// The header form bit is clear: a short-header (1-RTT) packet, datagram padding, or not
        /// QUIC at all. Nothing after it can be parsed.
        case notLongHeader
        /// A long header whose version BlockWatch cannot parse beyond the invariants (RFC 8999).
        case unsupportedVersion(QUICVersion)
        /// A known version, cut short (by a capture's snap length, say) before the end its
        /// header or Length field announces.
        case truncated(QUICVersion, QUICLongPacketType)
        /// Fields that no valid packet of its version has (a connection ID over 20 bytes, ...).
        case invalid
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) -> Parse {
        var reader = QUICByteReader(bytes)
        guard let first = reader.readByte(), first & 0x80 != 0 else { return .notLongHeader }
        guard let rawVersion = reader.readUInt32() else { return .invalid }
        let version = QUICVersion(rawValue: rawVersion)
        guard version.isDecryptable else {
            // Version negotiation (0) comes only from servers; other versions keep the invariants
            // but their type bits and lengths mean something BlockWatch does not know.
            return rawVersion == 0 ? .invalid : .unsupportedVersion(version)
        }
        let type = version.packetType(bits: (first >> 4) & 0x03)
        guard let dcidLength = reader.readByte() else { return .truncated(version, type) }
        guard dcidLength <= maximumConnectionIDLength else { return .invalid }
        guard let dcid = reader.readBytes(Int(dcidLength)), let scidLength = reader.readByte() else {
            return .truncated(version, type)
        }
        guard scidLength <= maximumConnectionIDLength else { return .invalid }
        guard let scid = reader.readBytes(Int(scidLength)) else { return .truncated(version, type) }

        var token = UnsafeRawBufferPointer(start: nil, count: 0)
        switch type {
        case .retry:
            // No Length field: a Retry runs to the end of the datagram.
            return .packet(QUICLongHeader(packet: bytes, version: version, type: type, destinationConnectionID: dcid,
                                          sourceConnectionID: scid, token: token, packetNumberOffset: reader.offset))
        case .initial:
            guard let tokenLength = reader.readVarint(), tokenLength <= UInt64(reader.remaining),
                  let bytes = reader.readBytes(Int(tokenLength)) else { return .truncated(version, type) }
            token = bytes
        case .zeroRTT, .handshake:
            break
        }
        guard let length = reader.readVarint() else { return .truncated(version, type) }
        // The Length field counts the packet number and payload; it cannot be shorter than a
        // 1-byte packet number and the 16-byte AEAD tag.
        guard length >= 17 else { return .invalid }
        guard length <= UInt64(reader.remaining) else { return .truncated(version, type) }
        let end = reader.offset + Int(length)
        return .packet(QUICLongHeader(packet: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), version: version,
                                      type: type, destinationConnectionID: dcid, sourceConnectionID: scid,
                                      token: token, packetNumberOffset: reader.offset))
    }
}
