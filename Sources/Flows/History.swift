/// Zeek's connection `history`: one letter per notable event, upper case from the originator,
/// lower case from the responder. Most letters are recorded once per direction; retransmission
/// (T) and zero window (W) are recorded again each time their count reaches 10, 100, 1000, ...
/// Stored inline (up to 32 letters), so updating it never allocates.
public struct History: Sendable, Equatable, CustomStringConvertible {
    public enum Letter: UInt8, Sendable {
        case syn = 0x53            // S
        case synAck = 0x48         // H
        case ack = 0x41            // A: a pure ACK
        case data = 0x44           // D: payload
        case fin = 0x46            // F
        case reset = 0x52          // R
        case retransmission = 0x54 // T
        case zeroWindow = 0x57     // W
        case synFin = 0x51         // Q: SYN together with FIN (or RST)
        case flipped = 0x5E        // ^: the first packet seen was a SYN-ACK; direction flipped
    }

    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Bit per (letter, direction) already recorded once.
    @usableFromInline var seen: UInt32 = 0
    /// Last: 37 bytes in all instead of 40 with padding before `seen` (every flow holds a History).
    @usableFromInline var count: UInt8 = 0

    public init() {}

    public static func == (a: History, b: History) -> Bool {
        a.count == b.count && a.words.0 == b.words.0 && a.words.1 == b.words.1
            && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    @usableFromInline static func bit(_ letter: Letter, originator: Bool) -> UInt32 {
        let index: UInt32
        switch letter {
        case .syn: index = 0
        case .synAck: index = 1
        case .ack: index = 2
        case .data: index = 3
        case .fin: index = 4
        case .reset: index = 5
        case .retransmission: index = 6
        case .zeroWindow: index = 7
        case .synFin: index = 8
        case .flipped: index = 9
        }
        return 1 << (index * 2 + (originator ? 0 : 1))
    }

    /// Records `letter` once per direction.
    @inlinable public mutating func recordOnce(_ letter: Letter, originator: Bool) {
        let bit = History.bit(letter, originator: originator)
        guard seen & bit == 0 else { return }
        seen |= bit
        append(letter, originator: originator)
    }

    /// Records `letter` when `occurrence` (1-based) is 1, 10, 100, ...
    @inlinable public mutating func recordScaled(_ letter: Letter, originator: Bool, occurrence: Int) {
        var n = occurrence
        while n % 10 == 0 { n /= 10 }
        if n == 1 { append(letter, originator: originator) }
    }

    @usableFromInline mutating func append(_ letter: Letter, originator: Bool) {
        guard count < 32 else { return }
        let byte = UInt64(originator || letter == .flipped ? letter.rawValue : letter.rawValue | 0x20)
        let shift = UInt64(count % 8) * 8
        switch count / 8 {
        case 0: words.0 |= byte << shift
        case 1: words.1 |= byte << shift
        case 2: words.2 |= byte << shift
        default: words.3 |= byte << shift
        }
        count += 1
    }

    public var description: String {
        // The letters are stored in order, little-endian within each word: the words' bytes are the text.
        var letters = (words.0.littleEndian, words.1.littleEndian, words.2.littleEndian, words.3.littleEndian)
        return withUnsafeBytes(of: &letters) { bytes in
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<Int(count)]), as: UTF8.self)
        }
    }
}
