import Wire

/// An optional time stored in one word: `Timestamp?` takes 16 bytes in a struct (8 and a tag,
/// padded), and every flow in the table holds several. `Int64.min` nanoseconds stands for "none";
/// no capture clock reads that (it is 292 years before 1970).
struct PackedTime: Sendable, Equatable {
    private var nanoseconds: Int64

    static let none = PackedTime(nanoseconds: .min)

    private init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    init(_ time: Timestamp?) { nanoseconds = time?.nanoseconds ?? Int64.min }

    var time: Timestamp? { nanoseconds == .min ? nil : Timestamp(nanoseconds: nanoseconds) }
}
