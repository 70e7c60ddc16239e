import Detection
import Flows
import Identification
import Wire

/// Hand-built attempts: the facts verdicts are made of, without packets.
enum AttemptFacts {
    static let origin = 1_641_340_800.0   // 2022-01-05 00:00 UTC

    static func attempt(_ group: String, at seconds: Double, _ outcome: Outcome, server: String = "198.51.100.1",
                        control: Bool = false, bulkBytes: Int = 0, bulkSeconds: Double = 0, loss: Double = 0,
                        transport: UInt8 = 6, port: UInt16 = 443, external: Bool = true) -> Attempt {
        Attempt(time: Timestamp(seconds: origin + seconds),
                group: group == "local" ? .local : (group.contains(".") ? .destination(group) : .service(ServiceName(group))),
                isControl: control,
                client: Endpoint(address: IPAddress("192.0.2.10")!, port: UInt16(40000 + Int(seconds) % 20000)),
                server: Endpoint(address: IPAddress(server)!, port: port), transport: transport, outcome: outcome,
                why: outcome.rawValue, uid: "C\(Int(seconds * 1000))\(group)", serverName: nil,
                serverBytes: bulkBytes, serverPayloadSeconds: bulkSeconds, retransmissionRate: loss,
                isExternal: external)
    }

    /// Packets every second from `from` to `to`: the capture was running.
    static func activity(from: Double = 0, to: Double) -> PacketActivity {
        var a = PacketActivity()
        var t = from
        while t <= to {
            a.note(Timestamp(seconds: origin + t))
            t += 1
        }
        return a
    }

    /// CONTROL traffic that works: `count` attempts spread over [from, to) to several servers.
    static func healthyControl(from: Double, to: Double, every: Double = 5) -> [Attempt] {
        stride(from: from, to: to, by: every).enumerated().map { i, t in
            attempt("google", at: t, .ok, server: "203.0.113.\(10 + i % 5)", control: true)
        }
    }

    static func service(_ result: AnalysisResult, _ name: String) -> AnalysisResult.ServiceVerdict? {
        result.services.first { $0.group.description == name }
    }
}
