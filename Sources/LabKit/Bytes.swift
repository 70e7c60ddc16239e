import Foundation
import PacketCrafting

extension Array where Element == UInt8 {
    mutating func appendBE16(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }

    mutating func appendBE24(_ value: Int) {
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }

    mutating func appendBE32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func appendBE64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func appendLE32(_ value: UInt32) {
        for shift in stride(from: 0, through: 24, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func appendLE64(_ value: UInt64) {
        for shift in stride(from: 0, through: 56, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// A QUIC variable-length integer (RFC 9000 §16), in the shortest form.
    mutating func appendVarint(_ value: Int) {
        switch value {
        case ..<64: append(UInt8(value))
        case ..<16384: appendBE16(UInt16(value) | 0x4000)
        case ..<(1 << 30): appendBE32(UInt32(value) | 0x8000_0000)
        default: appendBE64(UInt64(value) | 0xC000_0000_0000_0000)
        }
    }
}

extension ArraySlice where Element == UInt8 {
    func be16(_ offset: Int) -> UInt16 {
        UInt16(self[startIndex + offset]) << 8 | UInt16(self[startIndex + offset + 1])
    }
}

func be16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
    UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
}

func be32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

/// One line to standard output, flushed (the lab's processes log to files the runner keeps).
public func labLog(_ line: String) {
    let stamp = String(format: "%.3f", Date().timeIntervalSince1970)
    FileHandle.standardOutput.write(Data("\(stamp) \(line)\n".utf8))
}

/// The seeded generator and address type of PacketCrafting, under the lab's names for its users.
public typealias LabRandom = DeterministicRandom
public typealias LabAddress = HostAddress
