import Glibc

/// Wall-clock instants as UTC text, over `gmtime_r`: the same strings `ISO8601DateFormatter` and a
/// `DateFormatter` wrote, without running Foundation's ICU calendar code in every run.
public enum UTCTimestamp {
    /// `2026-11-29T06:00:00Z`: ISO 8601 in whole seconds (of the instant rounded to the millisecond).
    public static func iso8601(unixSeconds: Double) -> String {
        let t = fields(unixSeconds)
        return pad(Int(t.tm.tm_year) + 1900, 4) + "-" + pad(Int(t.tm.tm_mon) + 1, 2) + "-" + pad(Int(t.tm.tm_mday), 2)
            + "T" + pad(Int(t.tm.tm_hour), 2) + ":" + pad(Int(t.tm.tm_min), 2) + ":" + pad(Int(t.tm.tm_sec), 2) + "Z"
    }

    /// `13:57:02.045`: the time of day to the nearest millisecond.
    public static func timeOfDayMillis(unixSeconds: Double) -> String {
        let t = fields(unixSeconds)
        return pad(Int(t.tm.tm_hour), 2) + ":" + pad(Int(t.tm.tm_min), 2) + ":" + pad(Int(t.tm.tm_sec), 2)
            + "." + pad(t.millis, 3)
    }

    /// Calendar fields and milliseconds of `unixSeconds`, rounded to the nearest millisecond first
    /// as CFDateFormatter rounds before ICU truncates (so 59.9996 s prints as the next second).
    private static func fields(_ unixSeconds: Double) -> (tm: tm, millis: Int) {
        let totalMillis = Int64((unixSeconds * 1000 + 0.5).rounded(.down))
        let (q, r) = totalMillis.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(r < 0 ? q - 1 : q)
        var out = tm()
        gmtime_r(&seconds, &out)
        return (out, Int(r < 0 ? r + 1000 : r))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
