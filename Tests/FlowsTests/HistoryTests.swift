import Testing
@testable import Flows

@Suite("History letters")
struct HistoryTests {
    @Test("letters are upper case from the originator, lower case from the responder, once each")
    func onceEach() {
        var h = History()
        h.recordOnce(.syn, originator: true)
        h.recordOnce(.synAck, originator: false)
        h.recordOnce(.syn, originator: true)
        h.recordOnce(.data, originator: false)
        #expect(h.description == "Shd")
    }

    @Test("scaled letters repeat at 1, 10 and 100 occurrences")
    func scaled() {
        var h = History()
        for n in 1...150 { h.recordScaled(.retransmission, originator: true, occurrence: n) }
        #expect(h.description == "TTT")
    }

    @Test("history stops growing at 32 letters instead of allocating")
    func bounded() {
        var h = History()
        for n in 1...100_000 { h.recordScaled(.zeroWindow, originator: n % 2 == 0, occurrence: 1) }
        #expect(h.description.count == 32)
    }
}
