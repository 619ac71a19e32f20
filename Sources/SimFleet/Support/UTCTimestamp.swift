import Glibc

/// Wall-clock instants as UTC text, over `gmtime_r`: the same strings `ISO8601DateFormatter` and a
/// `DateFormatter` wrote, without running Foundation's ICU calendar code in every run.
public enum UTCTimestamp {
    /// `2026-11-29T06:00:00Z`: ISO 8601 in whole seconds (the fraction is dropped, not rounded).
    public static func iso8601(unixSeconds: Double) -> String {
        let t = fields(unixSeconds)
        return pad(Int(t.tm.tm_year) + 1900, 4) + "-" + pad(Int(t.tm.tm_mon) + 1, 2) + "-" + pad(Int(t.tm.tm_mday), 2)
            + "T" + pad(Int(t.tm.tm_hour), 2) + ":" + pad(Int(t.tm.tm_min), 2) + ":" + pad(Int(t.tm.tm_sec), 2) + "Z"
    }

    /// `13:57:02.045`: the time of day with milliseconds (dropped beyond, not rounded).
    public static func timeOfDayMillis(unixSeconds: Double) -> String {
        let t = fields(unixSeconds)
        return pad(Int(t.tm.tm_hour), 2) + ":" + pad(Int(t.tm.tm_min), 2) + ":" + pad(Int(t.tm.tm_sec), 2)
            + "." + pad(t.millis, 3)
    }

    private static func fields(_ unixSeconds: Double) -> (tm: tm, millis: Int) {
        let whole = unixSeconds.rounded(.down)
        var seconds = time_t(whole)
        var out = tm()
        gmtime_r(&seconds, &out)
        let millis = min(999, max(0, Int(((unixSeconds - whole) * 1000).rounded(.down))))
        return (out, millis)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
