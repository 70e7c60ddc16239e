// swift-tools-version:6.0
import PackageDescription

// Data flows one way: CPcap → Capture → Wire → Flows → (Identification → Detection) → Reports.
// The `BlockWatch` façade wires the pipeline; the `blockwatch` executable only parses arguments.
let package = Package(
    name: "BlockWatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "blockwatch", targets: ["blockwatch"]),
        .library(name: "BlockWatch", targets: ["BlockWatch"]),
        // The stages on their own, for the benchmark package and for other tools.
        .library(name: "Capture", targets: ["Capture"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Flows", targets: ["Flows"]),
        .library(name: "Identification", targets: ["Identification"]),
        .library(name: "Detection", targets: ["Detection"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"]), .brew(["libpcap"])]
        ),
        .target(name: "Capture", dependencies: ["CPcap"]),
        .target(name: "Wire"),
        .target(name: "Flows", dependencies: ["Wire"]),
        .target(
            name: "Identification",
            dependencies: ["Wire", "Flows",
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto")],
            resources: [.copy("Signatures")]
        ),
        .target(name: "Detection", dependencies: ["Wire", "Flows", "Identification"]),
        .target(name: "Reports", dependencies: ["Flows", "Wire", "Identification", "Detection"]),
        .target(name: "BlockWatch", dependencies: ["Capture", "Wire", "Flows", "Identification", "Detection", "Reports"]),
        .executableTarget(
            name: "blockwatch",
            dependencies: ["BlockWatch", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The emit side: builds packets and captures for tests, `captures/` and the benchmark.
        .target(name: "PacketCrafting", dependencies: ["Capture"]),
        .executableTarget(name: "craft-captures", dependencies: ["PacketCrafting"]),

        // The censor lab (lab/): app-like traffic generators and the offline address rewrite.
        .target(
            name: "LabKit",
            dependencies: ["Capture", "Wire", "PacketCrafting",
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto")]
        ),
        .executableTarget(name: "lab-traffic", dependencies: ["LabKit"]),
        .executableTarget(name: "lab-rewrite", dependencies: ["LabKit"]),

        .testTarget(name: "CaptureTests", dependencies: ["Capture", "PacketCrafting"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "PacketCrafting"]),
        .testTarget(name: "FlowsTests", dependencies: ["Flows", "Wire", "PacketCrafting"]),
        .testTarget(
            name: "IdentificationTests",
            dependencies: ["Identification", "Wire", "Flows", "PacketCrafting",
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto")]
        ),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "Identification", "Flows", "Wire"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Detection", "Identification", "Flows", "Wire"]),
        .testTarget(name: "LabTests", dependencies: ["LabKit", "Capture", "Wire"]),
        .testTarget(name: "EndToEndTests", dependencies: ["BlockWatch", "PacketCrafting", "Capture", "Flows", "Wire", "Identification"]),
    ],
    swiftLanguageModes: [.v6]
)
