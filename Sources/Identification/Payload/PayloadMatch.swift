/// What a payload signature says about a flow: its protocol and, when known, its service.
public struct PayloadMatch: Equatable, Sendable {
    public var applicationProtocol: ApplicationProtocol
    /// The service, when the signature names one (Telegram for MTProto, WhatsApp for its preface,
    /// the realm's owner for STUN). Nil for protocols any service may run (SSH, WireGuard, ...).
    public var app: ServiceName?
    /// How `app` is known: `.payload`, or `.stun` for STUN/TURN messages (also when they name no app).
    public var evidence: Evidence
    /// What matched, for people: "obfuscated2 abridged", "WA 5.2", "REALM signal.org", ...
    public var detail: String?

    public init(applicationProtocol: ApplicationProtocol, app: ServiceName? = nil, evidence: Evidence = .payload,
                detail: String? = nil) {
        self.applicationProtocol = applicationProtocol
        self.app = app
        self.evidence = evidence
        self.detail = detail
    }
}

/// Service names the recognizers attribute; kept here so they are spelled once.
enum PayloadService {
    static let telegram = ServiceName.telegram
    static let whatsapp = ServiceName.whatsapp
    static let signal = ServiceName.signal
    static let google: ServiceName = "google"
    /// Facebook's call realm. Calls are Messenger's (WhatsApp calls carry their own STUN
    /// attributes), so the realm names Messenger rather than the shared "meta" group.
    static let messenger: ServiceName = "messenger"
    static let viber: ServiceName = "viber"
    /// Microsoft's STUN extensions (MS-ICE2, MS-TURN) are Teams' and Skype's.
    static let microsoft: ServiceName = "microsoft"
}
