/// The version both tools print (`lanternd --version`, `lantern-sim --version`) and the privacy manifest
/// carries; a package's version comes from `git describe` (Toolchain/package-deb).
public enum LanternVersion {
    public static let number = "0.1.0"
}
