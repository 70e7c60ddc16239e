/// A view of an HTTP/1.x request head (RFC 9112 §2–3): the request line and header fields up
/// to the blank line, found without allocating. The body, if any, is not part of the view.
public struct HTTPRequest {
    /// The head, from the method to the blank line that ends it, inclusive.
    public let bytes: UnsafeRawBufferPointer
    @usableFromInline let methodEnd: Int
    @usableFromInline let targetEnd: Int
    /// Where the version ends (the line's CR or LF).
    @usableFromInline let versionEnd: Int
    /// Where the first header line starts.
    let fieldsStart: Int
    /// Where the blank line that ends the head starts.
    let fieldsEnd: Int

    /// The longest method token accepted (`BASELINE-CONTROL`, WebDAV, is 16).
    static let maximumMethodLength = 20

    /// Looks for a request head at the start of the client's stream.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPRequestScan {
        // Method: an upper-case token, then one space.
        var offset = 0
        while true {
            guard offset < bytes.count else { return .needMore }
            let byte = bytes.byte(at: offset)
            if byte == UInt8(ascii: " ") { break }
            guard isMethodCharacter(byte), offset < maximumMethodLength else { return .notHTTP }
            offset += 1
        }
        guard offset > 0 else { return .notHTTP }
        let methodEnd = offset
        offset += 1
        // Target: visible characters (and raw UTF-8, which some clients send), then one space.
        let targetStart = offset
        while true {
            guard offset < bytes.count else { return .needMore }
            let byte = bytes.byte(at: offset)
            if byte == UInt8(ascii: " ") { break }
            guard byte > 0x20, byte != 0x7F else { return .notHTTP }
            offset += 1
        }
        guard offset > targetStart else { return .notHTTP }
        let targetEnd = offset
        offset += 1
        // Version: "HTTP/" digit "." digit, then CRLF (a bare LF is tolerated, RFC 9112 §2.2).
        for (index, expected) in "HTTP/#.#".utf8.enumerated() {
            guard offset + index < bytes.count else { return .needMore }
            let byte = bytes.byte(at: offset + index)
            let matches = expected == UInt8(ascii: "#") ? isDigit(byte) : byte == expected
            guard matches else { return .notHTTP }
        }
        offset += 8
        let versionEnd = offset
        guard let fieldsStart = endOfLineBreak(in: bytes, at: offset) else {
            // Only the end of the bytes so far, or a CR whose LF has not arrived, may still become one.
            let partial = offset == bytes.count || (offset + 1 == bytes.count && bytes.byte(at: offset) == 13)
            return partial ? .needMore : .notHTTP
        }
        // Header lines until an empty one.
        offset = fieldsStart
        while true {
            guard offset < bytes.count else { return .needMore }
            if let end = endOfLineBreak(in: bytes, at: offset) {
                let request = HTTPRequest(bytes: bytes.slice(from: 0, length: end), methodEnd: methodEnd,
                                          targetEnd: targetEnd, versionEnd: versionEnd,
                                          fieldsStart: fieldsStart, fieldsEnd: offset)
                return .complete(request)
            }
            if bytes.byte(at: offset) == 13, offset + 1 == bytes.count { return .needMore }
            guard let next = startOfNextLine(in: bytes, from: offset) else { return .needMore }
            offset = next
        }
    }

    private init(bytes: UnsafeRawBufferPointer, methodEnd: Int, targetEnd: Int, versionEnd: Int,
                 fieldsStart: Int, fieldsEnd: Int) {
        self.bytes = bytes
        self.methodEnd = methodEnd
        self.targetEnd = targetEnd
        self.versionEnd = versionEnd
        self.fieldsStart = fieldsStart
        self.fieldsEnd = fieldsEnd
    }

    /// The method token (`GET`).
    @inlinable public var method: UnsafeRawBufferPointer { bytes.slice(from: 0, length: methodEnd) }
    /// The method, named when it is a common one.
    public var knownMethod: HTTPMethod { HTTPMethod(method) }
    /// The request target (`/index.html`, or `host:port` for CONNECT, or an absolute URI via a proxy).
    @inlinable public var target: UnsafeRawBufferPointer {
        bytes.slice(from: methodEnd + 1, length: targetEnd - methodEnd - 1)
    }
    /// The protocol version from the request line.
    @inlinable public var version: HTTPVersion {
        HTTPVersion(major: bytes.byte(at: versionEnd - 3) - UInt8(ascii: "0"),
                    minor: bytes.byte(at: versionEnd - 1) - UInt8(ascii: "0"))
    }

    /// The header fields in order.
    public var fields: HTTPHeaderFields {
        HTTPHeaderFields(bytes: bytes.slice(from: 0, length: fieldsEnd), offset: fieldsStart)
    }

    /// The value of the first field named `name` (compared ignoring ASCII case), trimmed.
    public func field(named name: String) -> UnsafeRawBufferPointer? {
        for field in fields where HTTPRequest.equalsIgnoringCase(field.name, name) { return field.value }
        return nil
    }

    /// The Host field's value (`example.com:8080`), as bytes.
    public var hostBytes: UnsafeRawBufferPointer? { field(named: "host") }

    /// The Host field's value as a `String`. Allocates: meant for once per flow.
    public var host: String? { hostBytes.map { String(decoding: $0, as: UTF8.self) } }

    // MARK: - Lexing

    static func isMethodCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// If a line break (CRLF or LF) starts at `offset`, the offset after it.
    static func endOfLineBreak(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        guard offset < bytes.count else { return nil }
        if bytes.byte(at: offset) == 10 { return offset + 1 }
        if bytes.byte(at: offset) == 13, offset + 1 < bytes.count, bytes.byte(at: offset + 1) == 10 { return offset + 2 }
        return nil
    }

    /// The offset after the next LF at or after `offset`.
    static func startOfNextLine(in bytes: UnsafeRawBufferPointer, from offset: Int) -> Int? {
        var index = offset
        while index < bytes.count {
            if bytes.byte(at: index) == 10 { return index + 1 }
            index += 1
        }
        return nil
    }

    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ text: String) -> Bool {
        guard bytes.count == text.utf8.count else { return false }
        var index = 0
        for expected in text.utf8 {
            let byte = bytes.byte(at: index)
            let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            let wanted = expected >= UInt8(ascii: "A") && expected <= UInt8(ascii: "Z") ? expected | 0x20 : expected
            guard lower == wanted else { return false }
            index += 1
        }
        return true
    }
}

/// What the start of a client's stream holds, as far as an HTTP/1.x request head goes.
public enum HTTPRequestScan {
    /// The whole head is present.
    case complete(HTTPRequest)
    /// So far it looks like a request; the head has not ended yet. The caller bounds how much
    /// it buffers (a head longer than a few kilobytes is not worth waiting for).
    case needMore
    /// Not an HTTP/1.x request.
    case notHTTP
}

/// An HTTP version from a request line.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8

    @inlinable public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// The common request methods; any other token is `.other` (its bytes are in `HTTPRequest.method`).
public enum HTTPMethod: Sendable, Hashable {
    case get, head, post, put, delete, connect, options, trace, patch
    case other

    /// Names the method in `token`.
    public init(_ token: UnsafeRawBufferPointer) {
        switch token.count {
        case 3 where token.elementsEqual("GET".utf8): self = .get
        case 3 where token.elementsEqual("PUT".utf8): self = .put
        case 4 where token.elementsEqual("HEAD".utf8): self = .head
        case 4 where token.elementsEqual("POST".utf8): self = .post
        case 5 where token.elementsEqual("TRACE".utf8): self = .trace
        case 5 where token.elementsEqual("PATCH".utf8): self = .patch
        case 6 where token.elementsEqual("DELETE".utf8): self = .delete
        case 7 where token.elementsEqual("CONNECT".utf8): self = .connect
        case 7 where token.elementsEqual("OPTIONS".utf8): self = .options
        default: self = .other
        }
    }
}

/// One header field: name and value (surrounding spaces and tabs trimmed).
public struct HTTPHeaderField {
    public let name: UnsafeRawBufferPointer
    public let value: UnsafeRawBufferPointer
}

/// The header fields of a request head, iterated without allocating. Lines without a colon
/// (and obsolete folded continuation lines) are skipped.
public struct HTTPHeaderFields: Sequence, IteratorProtocol {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    public mutating func next() -> HTTPHeaderField? {
        while offset < bytes.count {
            let lineStart = offset
            var lineEnd = offset
            while lineEnd < bytes.count, bytes.byte(at: lineEnd) != 10 { lineEnd += 1 }
            offset = lineEnd + 1
            if lineEnd > lineStart, bytes.byte(at: lineEnd - 1) == 13 { lineEnd -= 1 }
            // A line starting with whitespace continues the previous field (obs-fold).
            guard lineEnd > lineStart, !HTTPHeaderFields.isSpace(bytes.byte(at: lineStart)) else { continue }
            var colon = lineStart
            while colon < lineEnd, bytes.byte(at: colon) != UInt8(ascii: ":") { colon += 1 }
            guard colon < lineEnd, colon > lineStart else { continue }
            var valueStart = colon + 1, valueEnd = lineEnd
            while valueStart < valueEnd, HTTPHeaderFields.isSpace(bytes.byte(at: valueStart)) { valueStart += 1 }
            while valueEnd > valueStart, HTTPHeaderFields.isSpace(bytes.byte(at: valueEnd - 1)) { valueEnd -= 1 }
            return HTTPHeaderField(name: bytes.slice(from: lineStart, length: colon - lineStart),
                                   value: bytes.slice(from: valueStart, length: valueEnd - valueStart))
        }
        return nil
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == 9 }
}
