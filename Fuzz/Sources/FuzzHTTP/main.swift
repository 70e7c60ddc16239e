@testable import Identification
import FuzzSupport
import Wire

// HTTP/1.x request heads (method token, target, version, header fields with folding, bare LF,
// missing colons, Host with ports and IPv6 literals) and the response status line the flow
// identifier reads for block pages. The first half of the input is the client's stream, the
// second the server's (split at the first byte's value).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 1 else { return 0 }
    let split = min(Int(data[0]) * 4, size - 1)
    FuzzInput.withPieces(data + 1, split, maximum: 1, raw: true) { client in
        if case .complete(let request) = HTTPRequest.parse(client[0]) {
            touch(request.bytes)
            touch(request.method)
            touch(request.target)
            blackHole((request.knownMethod, request.version.description))
            for field in request.fields { touch(field.name); touch(field.value) }
            if let host = request.host { blackHole(FlowIdentifier.hostWithoutPort(host)) }
            blackHole(request.field(named: "user-agent"))
        }
    }
    FuzzInput.withPieces(data + 1 + split, size - 1 - split, maximum: 1, raw: true) { server in
        blackHole(FlowIdentifier.httpStatus(server[0]))
    }
    return 0
}

FuzzInput.run(fuzz)
