import LanternCore

/// The build's identity, for `--version` and the privacy manifest. Toolchain/build-aarch64 compiles a
/// generated `BuildStamp.swift` (git describe and commit) with `-D LANTERN_BUILD_STAMPED`; host
/// `swift build`s say `dev`.
enum BuildInfo {
    static let version = LanternVersion.number
    #if LANTERN_BUILD_STAMPED
    static let build = BuildStamp.commit
    #else
    static let build = "dev"
    #endif
}
