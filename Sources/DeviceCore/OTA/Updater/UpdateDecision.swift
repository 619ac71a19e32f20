/// Whether a device should install an offered version.
public enum UpdateDecision: Equatable, Sendable {
    case install
    /// The offered version is not newer than the running one (and the request is not forced).
    case notNewer(offered: String, running: String)
    /// No version to compare with and not forced: nothing says it is newer.
    case unknownVersion

    /// Compares `offered` with `running`: installs only strictly newer versions unless `force`.
    /// Versions that are not dotted numbers are compared as text (after dropping a leading `v`):
    /// equal text is "not newer", different text installs.
    public static func decide(offered: String?, running: String, force: Bool) -> UpdateDecision {
        if force { return .install }
        guard let offered else { return .unknownVersion }
        if let a = FirmwareVersion(offered), let b = FirmwareVersion(running) {
            return b < a ? .install : .notNewer(offered: offered, running: running)
        }
        return strippedV(offered) == strippedV(running) ? .notNewer(offered: offered, running: running) : .install
    }
}

private func strippedV(_ s: String) -> String {
    if let f = s.utf8.first, f == UInt8(ascii: "v") || f == UInt8(ascii: "V") { return String(s.dropFirst()) }
    return s
}
