import Foundation
import PacketCrafting
#if canImport(Glibc)
import Glibc
#endif

/// Errors of the lab's small socket layer.
public enum LabSocketError: Error, CustomStringConvertible {
    case system(String, Int32)
    case timeout
    case closed

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .timeout: "timed out"
        case .closed: "closed by peer"
        }
    }
}

/// A socket address built from a `HostAddress` and port.
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0

    init(_ host: HostAddress, port: UInt16) {
        switch host {
        case .v4(let value):
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = value.bigEndian
            withUnsafeBytes(of: address) { raw in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        case .v6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            let bytes = host.bytes
            withUnsafeMutableBytes(of: &address.sin6_addr) { raw in
                for index in 0..<16 { raw[index] = bytes[index] }
            }
            withUnsafeBytes(of: address) { raw in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    init() {}

    var family: Int32 { Int32(storage.ss_family) }

    /// The host and port back out of the storage.
    var endpoint: (HostAddress, UInt16)? {
        withUnsafeBytes(of: storage) { raw -> (HostAddress, UInt16)? in
            if family == AF_INET {
                let address = raw.load(as: sockaddr_in.self)
                return (.v4(UInt32(bigEndian: address.sin_addr.s_addr)), UInt16(bigEndian: address.sin_port))
            }
            if family == AF_INET6 {
                let address = raw.load(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
                return (HostAddress(bytes: bytes), UInt16(bigEndian: address.sin6_port))
            }
            return nil
        }
    }

    func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}

func systemError(_ call: String) -> LabSocketError { .system(call, errno) }

/// Waits until `fd` is ready for `events` or `timeout` seconds pass.
func waitFor(_ fd: Int32, events: Int16, timeout: Double) -> Bool {
    var descriptor = pollfd(fd: fd, events: events, revents: 0)
    let milliseconds = Int32(max(0, min(timeout, 3600)) * 1000)
    while true {
        let result = poll(&descriptor, 1, milliseconds)
        if result < 0 && errno == EINTR { continue }
        return result > 0
    }
}

func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
    var value = value
    setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
}

/// A connected TCP socket (the kernel's own TCP: real handshakes, retransmissions and resets).
public final class TCPConnection: @unchecked Sendable {
    let fd: Int32
    public let remote: HostAddress
    public let remotePort: UInt16
    public private(set) var localPort: UInt16 = 0
    private var isClosed = false

    init(fd: Int32, remote: HostAddress, remotePort: UInt16) {
        self.fd = fd
        self.remote = remote
        self.remotePort = remotePort
        var local = SocketAddress()
        local.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &local.storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &local.length) }
        }
        localPort = local.endpoint?.1 ?? 0
    }

    /// Connects with the kernel's SYN retransmissions, giving up after `timeout` seconds.
    public static func connect(to host: HostAddress, port: UInt16, timeout: Double) throws(LabSocketError) -> TCPConnection {
        let address = SocketAddress(host, port: port)
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket") }
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        let result = address.withPointer { Glibc.connect(fd, $0, $1) }
        if result != 0 && errno != EINPROGRESS {
            let error = systemError("connect")
            Glibc.close(fd)
            throw error
        }
        if result != 0 {
            guard waitFor(fd, events: Int16(POLLOUT), timeout: timeout) else {
                Glibc.close(fd)
                throw .timeout
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if code != 0 {
                Glibc.close(fd)
                throw .system("connect", code)
            }
        }
        _ = fcntl(fd, F_SETFL, flags)
        return TCPConnection(fd: fd, remote: host, remotePort: port)
    }

    /// Accepted connections.
    init(accepted fd: Int32) {
        self.fd = fd
        var peer = SocketAddress()
        peer.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &peer.storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &peer.length) }
        }
        let endpoint = peer.endpoint ?? (.v4(0), 0)
        remote = endpoint.0
        remotePort = endpoint.1
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    public func send(_ bytes: [UInt8]) throws(LabSocketError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw systemError("send")
            }
            offset += sent
        }
    }

    /// Up to `maximum` bytes; throws `.timeout` when nothing came in `timeout` seconds, `.closed` at EOF.
    public func receive(maximum: Int = 65536, timeout: Double) throws(LabSocketError) -> [UInt8] {
        guard waitFor(fd, events: Int16(POLLIN), timeout: timeout) else { throw .timeout }
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, maximum, 0) }
        if count < 0 { throw systemError("recv") }
        if count == 0 { throw .closed }
        return Array(buffer[0..<count])
    }

    /// Reads until `count` bytes arrived in total or the deadline passes.
    public func receive(atLeast count: Int, timeout: Double) throws(LabSocketError) -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        var collected: [UInt8] = []
        while collected.count < count {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { throw .timeout }
            collected += try receive(timeout: left)
        }
        return collected
    }

    /// Closes with a FIN (or a RST when `abort`).
    public func close(abort: Bool = false) {
        guard !isClosed else { return }
        isClosed = true
        if abort {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        Glibc.close(fd)
    }

    deinit { close() }
}

/// A connected UDP socket.
public final class UDPSocket: @unchecked Sendable {
    let fd: Int32

    public init(to host: HostAddress, port: UInt16) throws(LabSocketError) {
        let address = SocketAddress(host, port: port)
        fd = socket(address.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket") }
        let result = address.withPointer { Glibc.connect(fd, $0, $1) }
        if result != 0 {
            let error = systemError("connect")
            Glibc.close(fd)
            throw error
        }
    }

    public func send(_ bytes: [UInt8]) throws(LabSocketError) {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent < 0 { throw systemError("send") }
    }

    public func receive(timeout: Double) throws(LabSocketError) -> [UInt8] {
        guard waitFor(fd, events: Int16(POLLIN), timeout: timeout) else { throw .timeout }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
        if count < 0 { throw systemError("recv") }
        return Array(buffer[0..<count])
    }

    deinit { Glibc.close(fd) }
}

/// A listening socket bound to one address and port (TCP) or a bound UDP socket.
public final class BoundSocket: @unchecked Sendable {
    let fd: Int32
    public let host: HostAddress
    public let port: UInt16

    public init(tcp host: HostAddress, port: UInt16) throws(LabSocketError) {
        self.host = host
        self.port = port
        let address = SocketAddress(host, port: port)
        fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket") }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        if address.family == AF_INET6 { setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        guard address.withPointer({ bind(fd, $0, $1) }) == 0 else { throw systemError("bind \(host):\(port)") }
        guard listen(fd, 128) == 0 else { throw systemError("listen") }
    }

    public init(udp host: HostAddress, port: UInt16) throws(LabSocketError) {
        self.host = host
        self.port = port
        let address = SocketAddress(host, port: port)
        fd = socket(address.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket") }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        if address.family == AF_INET6 { setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        guard address.withPointer({ bind(fd, $0, $1) }) == 0 else { throw systemError("bind \(host):\(port)") }
    }

    public func accept() -> TCPConnection? {
        let client = Glibc.accept(fd, nil, nil)
        return client >= 0 ? TCPConnection(accepted: client) : nil
    }

    /// One datagram and its sender.
    public func receiveFrom() -> ([UInt8], HostAddress, UInt16)? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var peer = SocketAddress()
        peer.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &peer.storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress!, 65536, 0, $0, &peer.length) }
            }
        }
        guard count >= 0, let endpoint = peer.endpoint else { return nil }
        return (Array(buffer[0..<count]), endpoint.0, endpoint.1)
    }

    public func send(_ bytes: [UInt8], to host: HostAddress, port: UInt16) {
        let address = SocketAddress(host, port: port)
        _ = bytes.withUnsafeBytes { raw in address.withPointer { sendto(fd, raw.baseAddress!, raw.count, 0, $0, $1) } }
    }
}

/// Runs `body` on a new thread.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    let thread = Thread { body() }
    thread.stackSize = 1 << 20
    thread.start()
}
