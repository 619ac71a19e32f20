/// A release name compared the way the fleet's backend means it: a leading `v` is ignored, dotted
/// numeric components compare as numbers (`v2025.03.25.155052` == `2025.03.25.155052`, missing
/// components count as 0), and a semver pre-release (`1.2.0-rc.1`) sorts before its release.
/// Build metadata (`+...`) is ignored.
public struct FirmwareVersion: Comparable, Sendable {
    public var components: [UInt64]
    public var preRelease: [String]

    /// Nil when the text is not a dotted numeric version (a git hash like `e097db2-dirty`).
    public init?(_ text: String) {
        var bytes = Array(text.utf8)
        if let first = bytes.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "V") { bytes.removeFirst() }
        if let plus = bytes.firstIndex(of: UInt8(ascii: "+")) { bytes.removeSubrange(plus...) }
        var pre: [String] = []
        if let dash = bytes.firstIndex(of: UInt8(ascii: "-")) {
            let tail = bytes[(dash + 1)...]
            if tail.isEmpty { return nil }
            for part in tail.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
                if part.isEmpty || part.count > 64 { return nil }
                pre.append(String(decoding: part, as: UTF8.self))
            }
            bytes.removeSubrange(dash...)
        }
        if bytes.isEmpty || bytes.count > 128 { return nil }
        var components: [UInt64] = []
        for part in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let n = parseNumber(part) else { return nil }
            components.append(n)
        }
        self.components = components
        self.preRelease = pre
    }

    public static func == (a: FirmwareVersion, b: FirmwareVersion) -> Bool { !(a < b) && !(b < a) }

    public static func < (a: FirmwareVersion, b: FirmwareVersion) -> Bool {
        for i in 0..<max(a.components.count, b.components.count) {
            let x = i < a.components.count ? a.components[i] : 0
            let y = i < b.components.count ? b.components[i] : 0
            if x != y { return x < y }
        }
        // A pre-release is older than the release itself.
        if a.preRelease.isEmpty != b.preRelease.isEmpty { return !a.preRelease.isEmpty }
        for i in 0..<min(a.preRelease.count, b.preRelease.count) where a.preRelease[i] != b.preRelease[i] {
            return preReleaseLess(a.preRelease[i], b.preRelease[i])
        }
        return a.preRelease.count < b.preRelease.count
    }
}

/// Semver rule: numeric identifiers compare numerically and sort before alphanumeric ones, which
/// compare in ASCII order.
private func preReleaseLess(_ a: String, _ b: String) -> Bool {
    let na = parseNumber(a.utf8[...]), nb = parseNumber(b.utf8[...])
    switch (na, nb) {
    case let (x?, y?): return x < y
    case (.some, nil): return true
    case (nil, .some): return false
    case (nil, nil): return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
    }
}

private func parseNumber<C: Collection>(_ digits: C) -> UInt64? where C.Element == UInt8 {
    if digits.isEmpty || digits.count > 18 { return nil }
    var n: UInt64 = 0
    for c in digits {
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
        n = n * 10 + UInt64(c - UInt8(ascii: "0"))
    }
    return n
}
