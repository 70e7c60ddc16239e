/// A frame of a decrypted Initial payload. Initial packets may carry only PADDING, PING, ACK,
/// CRYPTO and CONNECTION_CLOSE (RFC 9000 §12.4, Table 3).
enum QUICInitialFrame {
    /// A run of PADDING bytes, counted as one.
    case padding(count: Int)
    case ping
    case ack
    /// Part of the TLS handshake stream at `offset`.
    case crypto(offset: UInt64, data: UnsafeRawBufferPointer)
    case connectionClose(errorCode: UInt64)
}

/// The frames of a decrypted Initial payload, in order, without allocating. Iteration stops at
/// the end, at a frame type an Initial cannot carry, or at a frame that overruns the payload;
/// `stoppedEarly` then says so.
struct QUICInitialFrames: Sequence, IteratorProtocol {
    private var reader: QUICByteReader
    /// True when iteration ended before the payload did.
    private(set) var stoppedEarly = false

    init(_ payload: UnsafeRawBufferPointer) {
        reader = QUICByteReader(payload)
    }

    mutating func next() -> QUICInitialFrame? {
        guard !reader.isAtEnd else { return nil }
        let frame = parseFrame()
        if frame == nil { stoppedEarly = true }
        return frame
    }

    private mutating func parseFrame() -> QUICInitialFrame? {
        guard let type = reader.readVarint() else { return nil }
        switch type {
        case 0x00:
            var count = 1
            while reader.remaining > 0, reader.bytes[reader.offset] == 0 {
                _ = reader.skip(1)
                count += 1
            }
            return .padding(count: count)
        case 0x01:
            return .ping
        case 0x02, 0x03:
            // Largest Acknowledged, ACK Delay, ACK Range Count, First ACK Range, then the ranges
            // (Gap, ACK Range Length each), then three ECN counts for type 0x03 (RFC 9000 §19.3).
            guard reader.readVarint() != nil, reader.readVarint() != nil,
                  let rangeCount = reader.readVarint(), reader.readVarint() != nil,
                  rangeCount <= UInt64(reader.remaining / 2) else { return nil }
            for _ in 0..<rangeCount {
                guard reader.readVarint() != nil, reader.readVarint() != nil else { return nil }
            }
            if type == 0x03 {
                for _ in 0..<3 { guard reader.readVarint() != nil else { return nil } }
            }
            return .ack
        case 0x06:
            guard let offset = reader.readVarint(), let length = reader.readLength(),
                  offset + UInt64(length) < (1 << 62),
                  let data = reader.readBytes(length) else { return nil }
            return .crypto(offset: offset, data: data)
        case 0x1C, 0x1D:
            // Error Code, Frame Type (transport close only), Reason Phrase Length, Reason Phrase.
            guard let errorCode = reader.readVarint() else { return nil }
            if type == 0x1C { guard reader.readVarint() != nil else { return nil } }
            guard let reasonLength = reader.readLength(), reader.skip(reasonLength) else { return nil }
            return .connectionClose(errorCode: errorCode)
        default:
            return nil
        }
    }
}
