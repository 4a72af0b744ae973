/// What a record may say about small groups: counts below `suppressBelow` (k) are reported as `"<k"`,
/// so that one or two people are never singled out. One value, from the site file, handed to every
/// encoder with the record; a reloaded site replaces it in one place (the publisher).
public struct PrivacyPolicy: Equatable, Sendable {
    /// k: counts below it are suppressed (0: off).
    public var suppressBelow: Int

    public init(suppressBelow: Int = 0) {
        self.suppressBelow = suppressBelow
    }
}

extension SiteConfig {
    /// The site's privacy policy (`privacy.suppressBelow`).
    public var privacy: PrivacyPolicy { PrivacyPolicy(suppressBelow: suppressBelow) }
}
