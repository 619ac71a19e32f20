/// The connectivity-check paths operating systems fetch right after joining a network. Answering
/// them with a redirect (instead of the expected 204/"Success") makes the OS pop up the portal.
public enum ProbeURLs {
    /// Paths, lower-case, as the probes request them.
    public static let paths: [String] = [
        "/generate_204", "/gen_204",                                  // Android, ChromeOS
        "/hotspot-detect.html", "/library/test/success.html",         // Apple
        "/connecttest.txt", "/ncsi.txt", "/redirect",                 // Windows
        "/canonical.html", "/success.txt",                            // Firefox
        "/check_network_status.txt",                                  // NetworkManager
    ]

    /// True when `path` (compared case-insensitively) is a known probe.
    public static func isProbe(_ path: String) -> Bool {
        for p in paths where asciiCaseInsensitiveEqual(p, path) { return true }
        return false
    }
}

/// RSSI (dBm) to 0–4 signal bars, the thresholds phones use roughly: ≥ −55 four bars,
/// ≥ −67 three, ≥ −75 two, ≥ −85 one, weaker none.
public func signalBars(rssi: Int) -> Int {
    if rssi >= -55 { return 4 }
    if rssi >= -67 { return 3 }
    if rssi >= -75 { return 2 }
    if rssi >= -85 { return 1 }
    return 0
}
