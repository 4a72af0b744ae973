// swift-tools-version: 6.1
import PackageDescription

// Board code (LanternCore, LanternSystem and everything lanternd links) must compile in Embedded
// Swift: no Foundation, typed throws only, no existentials of non-class protocols.
// Toolchain/embedded-check enforces that; host tools (lantern-sim, tests) may use full Swift.
let package = Package(
    name: "Lantern",
    products: [
        .library(name: "LanternCore", targets: ["LanternCore"]),
        .executable(name: "lantern-sim", targets: ["lantern-sim"]),
        .library(name: "LanternUplink", targets: ["LanternUplink"]),
        .library(name: "LanternRuntime", targets: ["LanternRuntime"]),
        .library(name: "LanternDensity", targets: ["LanternDensity"]),
        .executable(name: "lanternd", targets: ["lanternd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Host only: the HTTP server of `lantern-sim studio` (never a dependency of a board module).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        // Pure algorithms: images, estimator, geometry, intervals, site config, YUV4MPEG2 parsing,
        // command-line tables, backoff.
        .target(name: "LanternCore"),
        // The one C shim module, for what Swift cannot express (macros, variadics, errno, signal
        // handlers, the BPF filter) over libc, libgpiod 1.6, libv4l2, libmosquitto, SQLite and libcurl.
        // Never API: the Swift modules re-expose it.
        .target(
            name: "CLantern",
            linkerSettings: [
                .linkedLibrary("gpiod"), .linkedLibrary("v4l2"), .linkedLibrary("mosquitto"), .linkedLibrary("sqlite3"),
                .linkedLibrary("curl"), .linkedLibrary("crypto"), .linkedLibrary("m"),
            ]
        ),
        // The platform layer, a leaf: errno, descriptors, files, poll, clocks, signals, process, the
        // systemd notify socket, the sandbox.
        .target(name: "LanternSystem", dependencies: ["CLantern"]),
        // GPIO chips and lines (libgpiod 1.6), the V4L2 camera (libv4l2): the agent's hardware.
        .target(name: "LanternHardware", dependencies: ["LanternSystem", "CLantern"]),
        // Board agent logic with no I/O: boards, debounce, GPIO roles, the interval pipeline (time passed in).
        .target(name: "LanternAgent", dependencies: ["LanternCore", "LanternDensity"]),
        // Counts upstream: the SQLite journal, MQTT (libmosquitto, non-threaded), NGSI-LD over HTTP.
        .target(name: "LanternUplink", dependencies: ["LanternCore", "LanternSystem", "CLantern"]),
        // The agent's runtime: the one run loop (frames, GPIO, uplink, clock, signals) for the board,
        // the replay, check, aim and the simulator; frame sources, the publisher, first boot.
        .target(
            name: "LanternRuntime",
            dependencies: ["LanternCore", "LanternAgent", "LanternSystem", "LanternHardware", "LanternUplink", "CLantern"]
        ),
        // The board daemon (Embedded Swift on the board: Toolchain/build-aarch64): main and its commands.
        .executableTarget(
            name: "lanternd",
            dependencies: ["LanternRuntime", "LanternAgent", "LanternCore", "LanternSystem", "LanternHardware", "LanternUplink"]
        ),
        // Host-only simulator: replay, scoring against ground truth, perturbations.
        .target(name: "LanternSim", dependencies: ["LanternCore", "LanternAgent", "LanternRuntime", "LanternDensity", "CLanternJPEG", "LanternUplink", "LanternSystem"]),
        // Host-only C shim over libjpeg(-turbo) for the simulator's still images (longjmp error handling).
        .target(name: "CLanternJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .executableTarget(
            name: "lantern-sim",
            dependencies: [
                "LanternSim", "LanternRuntime", "LanternDensity", "LanternAgent", "LanternCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // Host helper for the uplink tests (a journal writer to SIGKILL); not shipped.
        .executableTarget(name: "lantern-uplink-probe", dependencies: ["LanternUplink", "LanternCore"]),
        // Host test tool: applies lanternd's sandbox (LanternSystem) and tries what it must refuse; not shipped.
        .target(name: "CLanternSandboxProbe"),
        .executableTarget(name: "lantern-sandbox-probe", dependencies: ["LanternSystem", "CLanternSandboxProbe"]),
        // The density model's weights file, embedded by `.incbin` (found through this target's include folder).
        .target(name: "CLanternDensityWeights"),
        // Counting people by appearance (moving or not): a small density network, no ML runtime (Embedded Swift).
        // Optimised in debug builds too: its kernels are about 50 times slower unoptimised, and every test
        // that replays a clip runs them (the agent's density path).
        .target(
            name: "LanternDensity", dependencies: ["LanternCore", "CLanternDensityWeights"], exclude: ["Weights"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // Running built products (lanternd, lantern-sim) from tests.
        .target(name: "LanternTestSupport", path: "Tests/LanternTestSupport"),
        .testTarget(name: "LanternCoreTests", dependencies: ["LanternCore"]),
        .testTarget(name: "LanternSystemTests", dependencies: ["LanternSystem"]),
        .testTarget(name: "LanternHardwareTests", dependencies: ["LanternHardware", "LanternSystem"]),
        .testTarget(name: "LanternAgentTests", dependencies: ["LanternAgent", "LanternCore", "LanternTestSupport"]),
        .testTarget(name: "LanternDensityTests", dependencies: ["LanternDensity", "LanternCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "LanternUplinkTests",
            dependencies: ["LanternUplink", "LanternCore", "LanternSystem", "lantern-uplink-probe", "lanternd", "LanternTestSupport"]
        ),
        .testTarget(
            name: "LanternRuntimeTests",
            dependencies: ["LanternRuntime", "LanternAgent", "LanternCore", "LanternSystem", "LanternUplink", "LanternTestSupport"]
        ),
        // lanternd run as a process: signals, the sandbox, strace, systemd notification, the uplink.
        .testTarget(
            name: "lanterndTests",
            dependencies: ["lanternd", "LanternAgent", "LanternCore", "LanternUplink", "LanternTestSupport", "lantern-sandbox-probe"]
        ),
        .testTarget(name: "LanternSimTests", dependencies: ["LanternSim", "LanternRuntime", "LanternTestSupport", "lantern-sim", "lanternd"]),
    ]
)
