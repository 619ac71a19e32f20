import DeviceCore
import SimFleet

/// Flag values that a flags-only run and a scenario run read alike: one parser each, one message.
extension RunCommand {
    /// `text` in `Units.duration`'s syntax and within `range`; otherwise "`flag` wants `what`, got
    /// 'text'", with what was wrong with the text when it is not a duration at all.
    static func duration(_ text: String, flag: String, within range: ClosedRange<TimeSpan>,
                         wants what: String) throws(UsageProblem) -> TimeSpan {
        let span: TimeSpan
        do { span = try Units.duration(text) } catch {
            throw UsageProblem(message: flag + " wants " + what + ", got '" + text + "': " + error.reason)
        }
        guard range.contains(span) else { throw UsageProblem(message: flag + " wants " + what + ", got '" + text + "'") }
        return span
    }

    /// `--heartbeat`: 100ms…1h.
    static func heartbeatInterval(_ text: String) throws(UsageProblem) -> TimeSpan {
        try duration(text, flag: "--heartbeat", within: .milliseconds(100) ... .seconds(3600), wants: "a time from 100ms to 1h like 10s")
    }

    /// `--qos`: 0, 1 or 2.
    static func qualityOfService(_ text: String) throws(UsageProblem) -> Int {
        guard let v = Int(text), (0...2).contains(v) else { throw UsageProblem(message: "--qos must be 0, 1 or 2, got '" + text + "'") }
        return v
    }

    /// `--ramp`: devices per second, see `devicesPerSecond`.
    static func rampRate(_ text: String) throws(UsageProblem) -> Double {
        guard let v = devicesPerSecond(text) else {
            throw UsageProblem(message: "--ramp wants 0.001/s to 1000000/s devices per second like 1000/s, got '" + text + "'")
        }
        return v
    }

    /// `--seed`: a whole number.
    static func seedValue(_ text: String) throws(UsageProblem) -> UInt64 {
        guard let v = UInt64(text) else { throw UsageProblem(message: "--seed wants a whole number, got '" + text + "'") }
        return v
    }
}
