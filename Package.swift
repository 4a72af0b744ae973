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
        .library(name: "LanternDensity", targets: ["LanternDensity"]),
        .executable(name: "lanternd", targets: ["lanternd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Pure algorithms: images, estimator, geometry, intervals, site config, YUV4MPEG2 parsing.
        .target(name: "LanternCore"),
        // The one place board code touches libc: thin C shims for what Swift cannot import.
        .target(name: "CLanternSystem"),
        // Typed wrappers over libc: Errno, FileDescriptor, clip files.
        .target(name: "LanternSystem", dependencies: ["LanternCore", "CLanternSystem"]),
        // Host-only simulator: replay, scoring against ground truth, perturbations.
        .target(name: "LanternSim", dependencies: ["LanternCore", "LanternSystem", "LanternDensity", "CLanternJPEG"]),
        // Host-only C shim over libjpeg(-turbo) for the simulator's still images (longjmp error handling).
        .target(name: "CLanternJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .executableTarget(
            name: "lantern-sim",
            dependencies: ["LanternSim", "LanternDensity", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Board agent logic with no I/O: boards, debounce, GPIO roles, the interval pipeline (time passed in).
        .target(name: "LanternAgent", dependencies: ["LanternCore"]),
        // C shims over libgpiod 1.6 and libv4l2 (variadics, macro constants); never API.
        .target(
            name: "CLanternHardware",
            linkerSettings: [.linkedLibrary("gpiod"), .linkedLibrary("v4l2"), .linkedLibrary("m")]
        ),
        // GPIO chips and lines, the V4L2 camera, clocks and signals: the agent's I/O.
        .target(name: "LanternHardware", dependencies: ["LanternSystem", "CLanternHardware"]),
        // The board daemon (Embedded Swift on the board: Toolchain/build-aarch64).
        .executableTarget(name: "lanternd", dependencies: ["LanternAgent", "LanternHardware", "LanternSystem", "LanternUplink"]),
        // C shims over libmosquitto, SQLite and libcurl (macros, variadics); never API.
        .target(
            name: "CLanternUplink",
            linkerSettings: [.linkedLibrary("mosquitto"), .linkedLibrary("sqlite3"), .linkedLibrary("curl"), .linkedLibrary("m")]
        ),
        // Counts upstream: the SQLite journal, MQTT (libmosquitto, non-threaded), NGSI-LD over HTTP.
        .target(name: "LanternUplink", dependencies: ["LanternCore", "CLanternUplink"]),
        // Host helper for the uplink tests (a journal writer to SIGKILL); not shipped.
        .executableTarget(name: "lantern-uplink-probe", dependencies: ["LanternUplink", "LanternCore"]),
        // The density model's weights file, embedded by `.incbin` (its folder is on the assembler's include path).
        .target(name: "CLanternDensityWeights", cSettings: [.headerSearchPath("../LanternDensity/Weights")]),
        // Counting people by appearance (moving or not): a small density network, no ML runtime (Embedded Swift).
        .target(name: "LanternDensity", dependencies: ["LanternCore", "CLanternDensityWeights"], exclude: ["Weights"]),
        // Running built products (lanternd, lantern-sim) from tests.
        .target(name: "LanternTestSupport", path: "Tests/LanternTestSupport"),
        .testTarget(name: "LanternUplinkTests", dependencies: ["LanternUplink", "LanternCore", "lantern-uplink-probe", "lanternd", "LanternTestSupport"]),
        .testTarget(name: "LanternCoreTests", dependencies: ["LanternCore"]),
        .testTarget(name: "LanternAgentTests", dependencies: ["LanternAgent", "LanternCore", "LanternTestSupport"]),
        .testTarget(name: "LanternDensityTests", dependencies: ["LanternDensity", "LanternCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LanternSimTests", dependencies: ["LanternSim", "LanternSystem", "LanternTestSupport", "lantern-sim"]),
    ]
)
