// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "reloc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "reloc", targets: ["reloc"]),
        .executable(name: "reloc-web", targets: ["reloc-web"]),
        .library(name: "LibPQClient", targets: ["LibPQClient"]),
        .library(name: "RelocationCore", targets: ["RelocationCore"]),
    ],
    // Package.resolved is not committed (the package cache here rewrites commit ids), so the pins
    // live here: `.upToNextMinor` takes bug-fix releases only, never a minor release that changes
    // behaviour we rely on unnoticed.
    dependencies: [
        // 1.8: `@OptionGroup` hands a parent's decoded option group to its subcommands (the shared
        // options, Reloc.swift) and `@ParentCommand` exists; its error texts are read for exit codes.
        .package(url: "https://github.com/apple/swift-argument-parser", .upToNextMinor(from: "1.8.2")),
        // 1.16: the Logger API the reminder job and store code log through.
        .package(url: "https://github.com/apple/swift-log", .upToNextMinor(from: "1.16.2")),
        // 2.28: the HTTP server of reloc-web only (the CLI must not link it: WebLinkTests).
        .package(url: "https://github.com/hummingbird-project/hummingbird", .upToNextMinor(from: "2.28.1")),
        // NIOCore's Channel and SocketAddress: the peer address reloc-web throttles sign-in by.
        .package(url: "https://github.com/apple/swift-nio", .upToNextMinor(from: "2.101.2")),
        .package(url: "https://github.com/apple/swift-http-types", .upToNextMinor(from: "1.8.0")),
        // 0.9.20: the zip under an xlsx workbook (issue 17): entries streamed in and out chunk by
        // chunk, with a consumer that can stop a read (the cap on a part's uncompressed size).
        .package(url: "https://github.com/weichsel/ZIPFoundation", .upToNextMinor(from: "0.9.20")),
    ],
    targets: [
        // libpq, the PostgreSQL C client library, loaded when the first connection is opened
        // (dlopen of libpq.so.5, or RELOC_LIBPQ), not linked: a command that connects to nothing
        // starts without it (docs/performance-cli.md). Its header libpq-fe.h is needed to build
        // (Debian: libpq-dev); no pkg-config, whose flags would link libpq (CLibPQ.h says why).
        .target(
            name: "CLibPQ",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // Our PostgreSQL client over libpq: connections, parameterized queries, decoding, COPY.
        .target(
            name: "LibPQClient",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")]
        ),
        // The reminder job's webhook POST through libcurl, loaded at run time (dlopen): no HTTP
        // library is linked into reloc, so commands that send no webhook start without one.
        .target(
            name: "CWebhookCurl",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // The domain: rules, store code, and the SQL migrations shipped as resources.
        // Office Open XML workbooks (.xlsx) written and read as a stream: cells, sheets, styles,
        // shared strings; no domain code (issue 17).
        .target(
            name: "Workbook",
            dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(
            name: "RelocationCore",
            dependencies: [
                "LibPQClient",
                "Workbook",
                "CWebhookCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("SQL")]
        ),
        .executableTarget(
            name: "reloc",
            dependencies: [
                "RelocationCore",
                "LibPQClient",
                "Workbook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The web desk (issue 16): HTTP over the same core; every rule stays in PostgreSQL.
        .executableTarget(
            name: "reloc-web",
            dependencies: [
                "RelocationCore",
                "LibPQClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test-only helpers: a fresh database per test, cloned from a migrated template.
        .target(
            name: "RelocTestSupport",
            dependencies: ["LibPQClient", "RelocationCore"],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "LibPQClientTests",
            dependencies: ["LibPQClient", "RelocTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // Also the CLI target (`@testable import reloc`): the error report and its exit statuses,
        // and the rendering (Output/), are the CLI's (docs/layers.md), tested in place.
        .testTarget(
            name: "RelocationCoreTests",
            dependencies: ["RelocationCore", "LibPQClient", "RelocTestSupport", "reloc"]
        ),
        // The web desk's routes against the real PostgreSQL, over a real socket.
        .testTarget(
            name: "RelocWebTests",
            dependencies: [
                "reloc-web", "RelocationCore", "LibPQClient", "RelocTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
