#if os(Linux)
import Foundation
import Glibc

/// Link delay without netem (this kernel has no sch_netem): packets that iptables sends to an
/// NFQUEUE are held here for a fixed time per queue, then accepted, in arrival order. Speaks
/// nfnetlink_queue directly (linux/netfilter/nfnetlink_queue.h), asking for metadata only.
public final class DelayQueue {
    private let fd: Int32
    private let delays: [UInt16: Double]
    /// Per queue: (due time, packet id), in arrival order (one delay per queue keeps it sorted).
    private var pending: [UInt16: [(Double, UInt32)]] = [:]
    private var heads: [UInt16: Int] = [:]
    private var sequence: UInt32 = 1

    static let subsystemQueue: UInt16 = 3 << 8
    static let messagePacket: UInt16 = 0
    static let messageVerdict: UInt16 = 1
    static let messageConfig: UInt16 = 2

    /// `delays`: queue number → one-way delay in seconds.
    public init(delays: [UInt16: Double]) throws(LabSocketError) {
        self.delays = delays
        fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue), 12 /* NETLINK_NETFILTER */)
        guard fd >= 0 else { throw systemError("socket(AF_NETLINK)") }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, 33 /* SO_RCVBUFFORCE */, &size, 4)
        // sockaddr_nl: family, padding, port id 0 (the kernel assigns one), no groups.
        var address: [UInt8] = [UInt8(AF_NETLINK & 0xFF), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let bound = address.withUnsafeMutableBytes {
            bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), 12)
        }
        guard bound == 0 else { throw systemError("bind(netlink)") }
        for queue in delays.keys.sorted() {
            // BIND the queue, then ask for metadata only (no payload copy), a long queue and fail-open.
            send(type: DelayQueue.messageConfig, queue: queue, attributes: [(1, [1, 0, 0, 0])])
            send(type: DelayQueue.messageConfig, queue: queue, attributes: [(2, [0, 0, 0, 0, 1])])
            send(type: DelayQueue.messageConfig, queue: queue, attributes: [(3, be32Bytes(8192))])
            send(type: DelayQueue.messageConfig, queue: queue, attributes: [(4, be32Bytes(1)), (5, be32Bytes(1))])
        }
    }

    func be32Bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private func send(type: UInt16, queue: UInt16, attributes: [(UInt16, [UInt8])]) {
        var body: [UInt8] = [UInt8(AF_UNSPEC), 0, UInt8(queue >> 8), UInt8(queue & 0xFF)]   // nfgenmsg
        for (kind, value) in attributes {
            let length = 4 + value.count
            body += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(kind & 0xFF), UInt8(kind >> 8)]
            body += value
            while body.count % 4 != 0 { body.append(0) }
        }
        let total = 16 + body.count
        let messageType = DelayQueue.subsystemQueue | type
        var message: [UInt8] = []
        for shift in stride(from: 0, through: 24, by: 8) { message.append(UInt8(truncatingIfNeeded: total >> shift)) }
        message += [UInt8(messageType & 0xFF), UInt8(messageType >> 8), 0x01, 0x00]   // NLM_F_REQUEST
        for shift in stride(from: 0, through: 24, by: 8) { message.append(UInt8(truncatingIfNeeded: sequence >> UInt32(shift))) }
        message += [0, 0, 0, 0]
        sequence &+= 1
        message += body
        _ = message.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, 0) }
    }

    private func accept(queue: UInt16, id: UInt32) {
        send(type: DelayQueue.messageVerdict, queue: queue, attributes: [(2, be32Bytes(1) + be32Bytes(id))])
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Holds and releases packets until killed.
    public func run() -> Never {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let now = DelayQueue.now()
            var nextDue = now + 1
            for (queue, list) in pending {
                var head = heads[queue] ?? 0
                while head < list.count, list[head].0 <= now {
                    accept(queue: queue, id: list[head].1)
                    head += 1
                }
                if head == list.count {
                    pending[queue] = []
                    heads[queue] = 0
                } else {
                    if head > 4096 {
                        pending[queue] = Array(list[head...])
                        head = 0
                    }
                    heads[queue] = head
                    nextDue = min(nextDue, pending[queue]![head].0)
                }
            }
            let wait = max(0, nextDue - DelayQueue.now())
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32((wait * 1000).rounded(.up)))
            guard ready > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { continue }
            let arrival = DelayQueue.now()
            var offset = 0
            while offset + 16 <= count {
                let length = Int(UInt32(buffer[offset]) | UInt32(buffer[offset + 1]) << 8 | UInt32(buffer[offset + 2]) << 16
                                 | UInt32(buffer[offset + 3]) << 24)
                let type = UInt16(buffer[offset + 4]) | UInt16(buffer[offset + 5]) << 8
                guard length >= 16, offset + length <= count else { break }
                if type == DelayQueue.subsystemQueue | DelayQueue.messagePacket, length >= 20 {
                    let queue = UInt16(buffer[offset + 18]) << 8 | UInt16(buffer[offset + 19])
                    var attribute = offset + 20
                    while attribute + 4 <= offset + length {
                        let attributeLength = Int(UInt16(buffer[attribute]) | UInt16(buffer[attribute + 1]) << 8)
                        let attributeType = (UInt16(buffer[attribute + 2]) | UInt16(buffer[attribute + 3]) << 8) & 0x7FFF
                        guard attributeLength >= 4 else { break }
                        if attributeType == 1, attributeLength >= 8 {   // NFQA_PACKET_HDR: be32 packet id first
                            let id = UInt32(buffer[attribute + 4]) << 24 | UInt32(buffer[attribute + 5]) << 16
                                | UInt32(buffer[attribute + 6]) << 8 | UInt32(buffer[attribute + 7])
                            let delay = delays[queue] ?? 0
                            pending[queue, default: []].append((arrival + delay, id))
                            break
                        }
                        attribute += (attributeLength + 3) & ~3
                    }
                }
                offset += (length + 3) & ~3
            }
        }
    }
}
#endif
