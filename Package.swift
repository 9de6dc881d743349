// swift-tools-version:6.1
import PackageDescription

/// The codec, the control loop and the simulator are compiled with optimisation even in debug
/// builds: tests run hours of virtual time through them, and an unoptimised simulated cycle is
/// ten times slower. The rest of the package stays debuggable.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Stipple",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "stipple", targets: ["stipple"]),
        .executable(name: "stipple-bench", targets: ["stipple-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
        // The session journal: SQLite through GRDB, SHA-256 chain and Ed25519 seals through swift-crypto.
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        // The practitioner's console (issue 9): an HTTP server and its WebSocket for live state.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", exact: "2.8.1"),
    ],
    targets: [
        // C libraries, found through pkg-config; only StippleLinux links them.
        .systemLibrary(
            name: "CGPIOD",
            pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]
        ),
        .systemLibrary(
            name: "CLibUSB",
            pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]
        ),

        // Build-time generator: embeds the shipped Hardware/ files into StippleModel so the
        // binary carries its defaults wherever it is installed.
        .executableTarget(name: "EmbedHardware", path: "Sources/EmbedHardware"),
        .plugin(
            name: "EmbedHardwarePlugin",
            capability: .buildTool(),
            dependencies: ["EmbedHardware"]
        ),

        .target(
            name: "StippleModel",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")],
            plugins: ["EmbedHardwarePlugin"]
        ),
        .target(name: "StippleWire", swiftSettings: optimisedInDebug),
        .target(name: "StippleProtocolC", path: "Firmware-Protocol/c", exclude: ["test", "Makefile"], cSettings: [.unsafeFlags(["-std=c99", "-Wall", "-Wextra", "-Werror"])]),
        .target(name: "StippleHardware", dependencies: ["StippleModel"]),
        .target(name: "StippleLinux", dependencies: ["StippleHardware", "StippleModel", "CGPIOD", "CLibUSB"]),
        .target(
            name: "StippleSimulator",
            dependencies: ["StippleHardware", "StippleModel", "StippleWire", "StippleProtocolC"],
            swiftSettings: optimisedInDebug
        ),
        // Direct drive (issue 8): Stipple's loop is the firmware of a machine with no controller
        // board. Optimised like the loop it runs in; tests run seconds of virtual time through it.
        .target(
            name: "StippleDirectDrive",
            dependencies: ["StippleModel", "StippleWire", "StippleHardware"],
            swiftSettings: optimisedInDebug
        ),
        // prctl(PR_SET_TIMERSLACK) for the real-time thread: prctl is variadic, invisible to Swift.
        .target(name: "CStippleRealTime"),
        .target(
            name: "StippleControl",
            dependencies: ["StippleHardware", "StippleModel", "StippleWire", "CStippleRealTime"],
            swiftSettings: optimisedInDebug
        ),
        .target(
            name: "StippleJournal",
            dependencies: [
                "StippleModel", "StippleControl",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The CLI's commands live in a library so tests can run them in-process.
        .target(
            name: "StippleCLI",
            dependencies: [
                "StippleModel", "StippleWire", "StippleHardware", "StippleLinux",
                "StippleSimulator", "StippleControl", "StippleJournal", "StippleDirectDrive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // PBKDF2 for the console's passcode.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ]
        ),
        .executableTarget(name: "stipple", dependencies: ["StippleCLI"]),
        // Only tests use it: a safety test's measured figure, for `make safety`.
        .target(name: "StippleSafetyEvidence"),

        // Benchmarks (`make bench`): figures printed, never pass/fail tests.
        .target(name: "CAllocCounter", path: "Benchmarks/CAllocCounter"),
        .target(name: "CWireBench", dependencies: ["StippleProtocolC"], path: "Benchmarks/CWireBench"),
        .executableTarget(
            name: "stipple-bench",
            dependencies: [
                "StippleWire", "CWireBench", "CAllocCounter", "StippleControl", "StippleHardware", "StippleModel",
                "StippleSimulator", "StippleJournal", "StippleDirectDrive",
                // libgpiod through LinuxGPIOLines, for `edges --chip` on a real line.
                "StippleLinux",
                // The raw SQLite C API, for the journal benchmark's side-by-side baseline.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Benchmarks/StippleBench"
        ),

        .testTarget(name: "StippleModelTests", dependencies: ["StippleSafetyEvidence", "StippleModel"]),
        // With the journal: the CLI tests read back what `stipple run` journaled, the kill test opens
        // what a killed `stipple` process left, and the session and journal commands are tested on
        // a journal holding a real session written by JournalWriter (ControlRecord: StippleControl).
        .testTarget(name: "StippleCLITests", dependencies: ["StippleSafetyEvidence", "StippleCLI", "StippleModel", "StippleJournal", "StippleControl"]),
        // The console's HTTP API and WebSocket, router-level, against a simulated machine.
        .testTarget(
            name: "StippleConsoleTests",
            dependencies: ["StippleSafetyEvidence",
                "StippleCLI", "StippleJournal", "StippleModel",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
        .testTarget(name: "StippleProtocolCTests", dependencies: ["StippleProtocolC"], resources: []),
        .testTarget(
            name: "StippleWireTests",
            dependencies: ["StippleSafetyEvidence",
                "StippleWire", "StippleProtocolC", "StippleModel", .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "StippleControlTests",
            dependencies: ["StippleSafetyEvidence", "StippleControl", "StippleHardware", "StippleModel", "StippleSimulator"]
        ),
        .testTarget(
            name: "StippleJournalTests",
            dependencies: ["StippleSafetyEvidence",
                "StippleJournal", "StippleControl", "StippleModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The libgpiod/libusb backends through their debug-build mocking drivers.
        .testTarget(name: "StippleLinuxTests", dependencies: ["StippleSafetyEvidence", "StippleLinux", "StippleHardware", "StippleModel", "StippleWire"]),
        // The control core against the simulated machine, end to end, in virtual time.
        .testTarget(
            name: "StippleSessionTests",
            dependencies: ["StippleSafetyEvidence", "StippleControl", "StippleSimulator", "StippleHardware", "StippleModel", "StippleWire", "StippleDirectDrive"]
        ),
        // The direct-drive firmware against the simulated direct-drive hardware, in virtual time.
        .testTarget(
            name: "StippleDirectDriveTests",
            dependencies: ["StippleSafetyEvidence", "StippleDirectDrive", "StippleSimulator", "StippleModel", "StippleHardware", "StippleWire"]
        ),
        // The practitioner console's pages, and a whole session driven through them in headless
        // Chromium over WebDriver against a `stipple console --sim` process (skipped, saying so,
        // where chromium or chromedriver is missing).
        .testTarget(name: "StippleConsoleBrowserTests", dependencies: ["StippleSafetyEvidence", "StippleCLI"]),
        .testTarget(
            name: "StippleSimulatorTests",
            dependencies: ["StippleSafetyEvidence", "StippleSimulator", "StippleHardware", "StippleModel", "StippleWire", "StippleProtocolC"]
        ),
    ]
)
