// swift-tools-version:6.0
// libFuzzer targets for BlockWatch's dissectors and for the whole pipeline. A package of its own,
// so the main package's build and `swift test` never see the sanitizer flags. Build and run with
// ../scripts/fuzz.sh (see README.md); the flags it passes are:
//   swift build -c release --scratch-path .build \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
// Each target's main.swift ends with `FuzzInput.run(fuzz)`, which hands control to libFuzzer
// (LLVMFuzzerRunDriver): SwiftPM links executables with `--defsym main=<Module>_main`, so the
// usual `-parse-as-library` build (libFuzzer's own main) fails to link on Linux.
import PackageDescription

/// One executable per fuzz target (the directory under Sources/ is its name) and the main
/// package's modules it uses; FuzzSupport holds the helpers they share.
let fuzzTargets: [(name: String, modules: [String])] = [
    ("FuzzLinkLayers", ["Wire"]),
    ("FuzzIP", ["Wire"]),
    ("FuzzFragments", ["Wire"]),
    ("FuzzTCPOptions", ["Wire"]),
    ("FuzzICMP", ["Wire"]),
    ("FuzzDNS", ["Wire"]),
    ("FuzzTLS", ["Wire", "Flows", "Identification"]),
    ("FuzzQUICInitial", ["Wire", "Identification"]),
    ("FuzzQUICCrypto", ["Wire", "Identification", "Crypto", "_CryptoExtras"]),
    ("FuzzHTTP", ["Wire", "Identification"]),
    ("FuzzSTUN", ["Wire", "Identification"]),
    ("FuzzMTProto", ["Wire", "Identification"]),
    ("FuzzWhatsApp", ["Wire", "Identification"]),
    ("FuzzPipeline", ["Capture", "Wire", "Flows", "Identification", "BlockWatch"]),
    // Not a fuzz target: writes the seed corpora from captures/ (run by fuzz.sh).
    ("FuzzSeeds", ["Capture", "Wire"]),
]

let package = Package(
    name: "BlockWatchFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "BlockWatch", path: ".."),
        // Only FuzzQUICCrypto uses it directly (to seal Initials); the same version the main package resolves.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", .product(name: "Wire", package: "BlockWatch"), .product(name: "Identification", package: "BlockWatch")]),
    ] + fuzzTargets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.modules.map { module -> Target.Dependency in
                switch module {
                case "Crypto", "_CryptoExtras": .product(name: module, package: "swift-crypto")
                default: .product(name: module, package: "BlockWatch")
                }
            }
        )
    },
    // The harnesses keep process-wide state in globals (decoders, keys, the catalog); the Swift 5
    // language mode spares them concurrency annotations. The main package builds in Swift 6 mode.
    swiftLanguageModes: [.v5]
)
