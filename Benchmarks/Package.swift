// swift-tools-version:6.1
// Heap allocations (and time) of BlockWatch's per-packet decode path, measured with
// ordo-one/benchmark. A package of its own so that the main build and `swift test` never pull in
// the benchmark harness. Run from this folder:  swift package benchmark   (see README.md)
import PackageDescription

let package = Package(
    name: "BlockWatchBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "BlockWatch", path: ".."),
        // Naming the trait drops the default `RuntimeInterposer` trait, whose package
        // (ordo-one/swift-runtime-interposer) is not available to us; malloc counting stays.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DecodePath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BlockWatch", package: "BlockWatch"),
            ],
            path: "Benchmarks/DecodePath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
