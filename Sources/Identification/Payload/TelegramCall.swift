/// Telegram's UDP call reflectors (tgcalls): ports 500–600 on either side, and a run of exactly
/// twelve 0xFF bytes (after the 16-byte peer tag in the packets seen). nDPI requires the first
/// 0xFF run to be that one; any run of exactly twelve is accepted here, so a tag that happens to
/// hold 0xFF does not hide the packet.
enum TelegramCall {
    static let ports: ClosedRange<UInt16> = 500...600
    static let minimumLength = 40
    static let runLength = 12

    static func match(_ payload: PayloadBytes, ports: (UInt16, UInt16)) -> PayloadMatch? {
        guard payload.count >= minimumLength, Self.ports.contains(ports.0) || Self.ports.contains(ports.1),
              hasRunOfExactlyTwelve(payload) else { return nil }
        return PayloadMatch(applicationProtocol: .telegramCall, app: PayloadService.telegram, detail: "reflector")
    }

    static func hasRunOfExactlyTwelve(_ payload: PayloadBytes) -> Bool {
        var run = 0
        for byte in payload.buffer {
            if byte == 0xFF {
                run += 1
            } else {
                if run == runLength { return true }
                run = 0
            }
        }
        return run == runLength
    }
}
