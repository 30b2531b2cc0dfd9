// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6)
]

let package = Package(
    name: "Lobby",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lobby-server", targets: ["lobby-server"]),
        .executable(name: "lobby", targets: ["lobby"]),
        .executable(name: "lobby-bench", targets: ["lobby-bench"]),
        .library(name: "STOMP", targets: ["STOMP"]),
        .library(name: "SockJS", targets: ["SockJS"]),
        // For the name-rules fuzz target (Fuzz/).
        .library(name: "LobbyCore", targets: ["LobbyCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Protocol modules: no I/O, time is an input.
        .target(name: "STOMP", swiftSettings: strictSettings),
        .target(name: "SockJS", swiftSettings: strictSettings),

        // Name skeletons (Unicode TS #39) through ICU4C from Debian's libicu-dev. A C target whose
        // header speaks only `const char *`: ICU's headers would clash with Foundation's bundled
        // ICU if Swift saw them.
        .target(
            name: "CNameSkeleton",
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc")]
        ),

        // Domain values and presence state.
        .target(name: "LobbyCore", dependencies: ["CNameSkeleton"], swiftSettings: strictSettings),

        // Storage protocol + SQLite adapter.
        .target(
            name: "LobbyStore",
            dependencies: [
                "LobbyCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),

        // PostgreSQL adapter of the storage protocol (postgres-nio), kept out of the SQLite path.
        .target(
            name: "LobbyPostgres",
            dependencies: [
                "LobbyCore", "LobbyStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Server: transports, STOMP sessions, broker, wiring.
        .target(
            name: "LobbyServer",
            dependencies: [
                "STOMP", "SockJS", "LobbyCore", "LobbyStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            resources: [.copy("Web")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "lobby-server",
            dependencies: [
                "LobbyServer", "LobbyStore", "LobbyPostgres", "LobbyCore", "SockJS", "TextWidth",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // Client: ncursesw system library, network, pure state + views, executable.
        .systemLibrary(
            name: "CNCurses",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        .target(
            name: "LobbyClient",
            dependencies: [
                "STOMP", "SockJS", "LobbyCore",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        // Terminal cells of text (wcwidth plus the rules for whole clusters): the client's views
        // and the server's tables. C target only for the wcwidth declaration.
        .target(name: "CTextWidth"),
        .target(name: "TextWidth", dependencies: ["CTextWidth"], swiftSettings: strictSettings),
        .target(
            name: "LobbyTUI",
            dependencies: ["CNCurses", "LobbyCore", "TextWidth"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "lobby",
            dependencies: [
                "LobbyClient", "LobbyTUI", "LobbyCore", "SockJS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // Benchmark: load generator and measurements (issue 5).
        .target(
            name: "LobbyBench",
            dependencies: [
                "STOMP", "SockJS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "lobby-bench",
            dependencies: ["LobbyBench"],
            swiftSettings: strictSettings
        ),

        // What several test targets share (one SplitMix64).
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictSettings),
        .testTarget(name: "STOMPTests", dependencies: ["STOMP", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "SockJSTests", dependencies: ["SockJS", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "LobbyCoreTests", dependencies: ["LobbyCore", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "LobbyStoreTests",
            dependencies: [
                "LobbyStore", "LobbyPostgres", "LobbyCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LobbyServerTests",
            dependencies: [
                "LobbyServer", "LobbyStore", "LobbyCore", "LobbyClient", "STOMP", "SockJS",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LobbyClientTests",
            dependencies: [
                "LobbyClient", "LobbyCore", "STOMP", "SockJS", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "LobbyBenchTests", dependencies: ["LobbyBench"], swiftSettings: strictSettings),
        .testTarget(name: "LobbyTUITests", dependencies: ["LobbyTUI", "LobbyCore"], swiftSettings: strictSettings),
    ]
)
