import Flows
import Identification
import Testing
import Wire

/// The STUN call-endpoint table is bounded (issue 8): when full, expired endpoints go first, then
/// the ones closest to expiry; every unexpired endpoint forgotten is counted, and the newest
/// endpoint is always remembered.
@Suite("Call endpoints under a flood of STUN exchanges")
struct CallEndpointAssociationBoundTests {
    static func endpoint(_ index: Int) -> Endpoint {
        Endpoint(address: IPAddress("10.1.\(index / 256).\(index % 256)")!, port: 3478)
    }

    static func seconds(_ s: Int64) -> Timestamp { Timestamp(nanoseconds: s * 1_000_000_000) }

    @Test("never more entries than the bound; the newest is remembered; every unexpired loss counted")
    func boundedAndCounted() {
        var table = CallEndpointAssociation(maximumEntries: 64, lifetime: .seconds(120))
        for index in 0..<1000 {
            table.remember(Self.endpoint(index), app: .signal, at: Self.seconds(Int64(index) / 10))
        }
        // 1000 endpoints in 100 s: none has expired, so every one missing was forgotten early.
        #expect(table.count <= 64)
        #expect(table.evicted == 1000 - table.count)
        #expect(table.app(for: Self.endpoint(999), at: Self.seconds(99)) == .signal)
        #expect(table.app(for: Self.endpoint(0), at: Self.seconds(99)) == nil)
    }

    @Test("expired endpoints make room without counting as losses")
    func expiredAreNotLosses() {
        var table = CallEndpointAssociation(maximumEntries: 8, lifetime: .seconds(120))
        for index in 0..<8 { table.remember(Self.endpoint(index), app: .whatsapp, at: Self.seconds(0)) }
        table.remember(Self.endpoint(100), app: .telegram, at: Self.seconds(500))
        #expect(table.evicted == 0)
        #expect(table.count == 1)
        #expect(table.app(for: Self.endpoint(100), at: Self.seconds(501)) == .telegram)
    }

    @Test("refreshing a known endpoint in a full table forgets nothing")
    func refreshInFullTable() {
        var table = CallEndpointAssociation(maximumEntries: 4, lifetime: .seconds(120))
        for index in 0..<4 { table.remember(Self.endpoint(index), app: .signal, at: Self.seconds(0)) }
        table.remember(Self.endpoint(2), app: .signal, at: Self.seconds(10))
        #expect(table.evicted == 0)
        #expect(table.count == 4)
    }
}
