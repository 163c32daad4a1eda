// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "reloc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "reloc", targets: ["reloc"]),
        .library(name: "LibPQClient", targets: ["LibPQClient"]),
        .library(name: "RelocationCore", targets: ["RelocationCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // libpq, the PostgreSQL C client library (Debian: libpq-dev).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // Our PostgreSQL client over libpq: connections, parameterized queries, decoding, COPY.
        .target(
            name: "LibPQClient",
            dependencies: ["CLibPQ"]
        ),
        // The domain: rules, store code, and the SQL migrations shipped as resources.
        .target(
            name: "RelocationCore",
            dependencies: [
                "LibPQClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("SQL")]
        ),
        .executableTarget(
            name: "reloc",
            dependencies: [
                "RelocationCore",
                "LibPQClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test-only helpers: a fresh database per test, cloned from a migrated template.
        .target(
            name: "RelocTestSupport",
            dependencies: ["LibPQClient", "RelocationCore"],
            path: "Tests/Support"
        ),
        .testTarget(name: "LibPQClientTests", dependencies: ["LibPQClient", "RelocTestSupport"]),
        // Also the CLI's own module (rendering, Output/), tested in place: `@testable import reloc`.
        .testTarget(
            name: "RelocationCoreTests",
            dependencies: ["RelocationCore", "LibPQClient", "RelocTestSupport", "reloc"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
