// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for Lobby's protocol modules (issue 12). Not part of `make test`; run them with
// `make fuzz` (scripts/fuzz.sh), which builds this package with `--sanitize=fuzzer --sanitize=address`.
//
// The root package comes in by path: SwiftPM resolves its dependencies but builds only the
// STOMP, SockJS and LobbyCore modules (LobbyCore links ICU through CNameSkeleton).

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6)
]

// The root package is named explicitly, so that its identity (the clone's directory name) does not matter.
let stomp = Target.Dependency.product(name: "STOMP", package: "Lobby")
let sockJS = Target.Dependency.product(name: "SockJS", package: "Lobby")
let lobbyCore = Target.Dependency.product(name: "LobbyCore", package: "Lobby")

let package = Package(
    name: "LobbyFuzz",
    dependencies: [
        .package(name: "Lobby", path: "..")
    ],
    targets: [
        // Input slicing and invariant checks shared by the fuzz targets.
        .target(name: "FuzzSupport", swiftSettings: strictSettings),

        // Each executable defines LLVMFuzzerTestOneInput; libFuzzer supplies main.
        .executableTarget(name: "stomp-parser", dependencies: ["FuzzSupport", stomp], swiftSettings: strictSettings),
        .executableTarget(name: "stomp-server", dependencies: ["FuzzSupport", stomp], swiftSettings: strictSettings),
        .executableTarget(name: "sockjs-json", dependencies: ["FuzzSupport", sockJS], swiftSettings: strictSettings),
        .executableTarget(name: "sockjs-route", dependencies: ["FuzzSupport", sockJS], swiftSettings: strictSettings),
        .executableTarget(name: "name-rules", dependencies: ["FuzzSupport", lobbyCore], swiftSettings: strictSettings),
    ]
)
