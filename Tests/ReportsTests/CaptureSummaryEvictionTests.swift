import Reports
import Testing

/// The summary names every bound that was reached, with the count and the bound, so a flood
/// never costs results silently (issue 8).
@Suite("Capture summary: evictions")
struct CaptureSummaryEvictionTests {
    static let bounds = CaptureSummary.Bounds(flows: 1000, fragmentDatagrams: 64, dnsNames: 500, callEndpoints: 50, payloadBytes: 64 << 20)

    @Test("no eviction line when no bound was reached")
    func noEvictions() {
        var summary = CaptureSummary()
        summary.bounds = Self.bounds
        #expect(summary.evictionLine == nil)
        #expect(!summary.text.contains("evictions"))
    }

    @Test("call endpoints forgotten early are named with their bound")
    func callEndpoints() {
        var summary = CaptureSummary()
        summary.bounds = Self.bounds
        summary.callEndpointsEvicted = 7
        #expect(summary.evictionLine == "evictions: 7 call endpoints forgotten early (call endpoint table full: 50 endpoints)")
        #expect(summary.text.contains("7 call endpoints forgotten early"))
    }

    @Test("every reached bound is listed")
    func all() {
        var summary = CaptureSummary()
        summary.bounds = Self.bounds
        summary.flowTable.evicted = 3
        summary.dnsNamesEvicted = 2
        summary.callEndpointsEvicted = 1
        let line = summary.evictionLine ?? ""
        #expect(line.contains("3 flows written out early (flow table full: --max-flows 1000)"))
        #expect(line.contains("2 DNS names forgotten early (name table full: 500 addresses)"))
        #expect(line.contains("1 call endpoints forgotten early"))
    }
}
