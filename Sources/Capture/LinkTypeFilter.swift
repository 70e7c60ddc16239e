import CPcap

/// A BPF expression applied packet by packet (`pcap_offline_filter`) to a source whose packets
/// each carry their own link type (a pcapng read by `MappedPcapng`): the expression is compiled
/// once for every link type met, since a program is only valid for the link type it was built for.
///
/// A link type the expression does not compile for (say `ether host …` on raw IP) matches nothing;
/// its packets are counted so the reader can say how many the filter left out that way.
/// Not `Sendable`; used by the reading thread only.
@usableFromInline
final class LinkTypeFilter {
    /// A link type met, its program (nil: the expression does not compile for it), why not, and
    /// how many of its packets were left out because of that.
    @usableFromInline
    struct Entry {
        @usableFromInline let linkType: LinkType
        @usableFromInline let program: UnsafeMutablePointer<bpf_program>?
        let refusal: String
        @usableFromInline var leftOut = 0
        var reportedLeftOut = 0
    }

    let expression: String
    /// Few entries (one per link type of the file); the last one used is checked first.
    @usableFromInline var entries: [Entry] = []
    @usableFromInline var lastEntry = -1

    /// Compiles `expression` for each of `linkTypes` now (see `firstRefusal`).
    init(expression: String, linkTypes: [LinkType]) {
        self.expression = expression
        for linkType in linkTypes { _ = entry(for: linkType) }
    }

    /// The first link type compiled for that the expression does not compile for, and libpcap's reason.
    var firstRefusal: (LinkType, String)? {
        entries.first { $0.program == nil }.map { ($0.linkType, $0.refusal) }
    }

    deinit {
        for entry in entries { if let program = entry.program { Libpcap.freeProgram(program) } }
    }

    /// Whether the packet matches the expression compiled for its link type.
    @inlinable
    func matches(_ record: MappedPcapng.Record) -> Bool {
        var index = lastEntry
        if index < 0 || entries[index].linkType != record.linkType {
            index = entry(for: record.linkType)
            lastEntry = index
        }
        guard let program = entries[index].program else {
            entries[index].leftOut &+= 1
            return false
        }
        return Libpcap.matches(program, capturedLength: record.capturedLength, originalLength: record.originalLength,
                               data: record.data)
    }

    /// The entry of `linkType`, compiled on first use.
    @usableFromInline
    func entry(for linkType: LinkType) -> Int {
        if let index = entries.firstIndex(where: { $0.linkType == linkType }) { return index }
        switch Libpcap.compileProgram(expression, linkType: linkType.rawValue) {
        case .success(let program):
            entries.append(Entry(linkType: linkType, program: program, refusal: ""))
        case .failure(let failure):
            entries.append(Entry(linkType: linkType, program: nil, refusal: CaptureHandle.filterDetail(failure.text)))
        }
        return entries.count - 1
    }

    /// Link types whose packets were left out since the last call because the expression does
    /// not compile for them: each with libpcap's reason and the count.
    func takeLeftOut() -> [(linkType: LinkType, reason: String, packets: Int)] {
        var result: [(LinkType, String, Int)] = []
        for index in entries.indices where entries[index].leftOut > entries[index].reportedLeftOut {
            result.append((entries[index].linkType, entries[index].refusal, entries[index].leftOut - entries[index].reportedLeftOut))
            entries[index].reportedLeftOut = entries[index].leftOut
        }
        return result
    }
}
