// The C funnel's live-capture part (see Libpcap.swift): reading a live handle a batch at a time,
// and asking the kernel how it hands packets over.

import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Libpcap {
    /// `pcap_dispatch`: calls `callback` for up to `count` packets (-1: all the kernel has handed
    /// over), each pointing straight into the kernel's ring, with no copy (`pcap_next_ex` copies
    /// every packet into the handle's buffer on Linux). Returns the packets handled, 0 if none
    /// were waiting (non-blocking handles), `loopBroken` after `pcap_breakloop`, or -1 on error.
    @inlinable @inline(__always)
    static func dispatch(_ p: Handle, count: Int32, _ callback: pcap_handler, _ context: UnsafeMutableRawPointer) -> Int32 {
        pcap_dispatch(p, count, callback, context.assumingMemoryBound(to: UInt8.self))
    }

    /// Linux: the version of the kernel's packet ring the live handle reads (`PACKET_VERSION` of its
    /// socket): 3 (TPACKET_V3) hands packets over in blocks, 2 (TPACKET_V2, what libpcap uses in
    /// immediate mode) one at a time. nil for files, other systems, or when the socket won't say.
    static func packetRingVersion(_ p: Handle) -> Int? {
        #if os(Linux)
        let fd = pcap_get_selectable_fd(p)
        guard fd >= 0, pcap_file(p) == nil else { return nil }
        let solPacket: Int32 = 263, packetVersion: Int32 = 10   // <linux/if_packet.h>, not in Glibc's module
        var version: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, solPacket, packetVersion, &version, &length) == 0 else { return nil }
        return Int(version) + 1   // TPACKET_V1 is 0, V2 1, V3 2
        #else
        return nil
        #endif
    }
}
