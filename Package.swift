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
        .target(name: "LanternSim", dependencies: ["LanternCore", "LanternSystem"]),
        .executableTarget(
            name: "lantern-sim",
            dependencies: ["LanternSim", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "LanternCoreTests", dependencies: ["LanternCore"]),
        .testTarget(name: "LanternSimTests", dependencies: ["LanternSim", "LanternSystem"]),
    ]
)
