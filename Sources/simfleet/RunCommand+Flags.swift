import DeviceCore
import SimFleet

/// Flag values that a flags-only run and a scenario run read alike: `FlagValue`'s parsers (with
/// the ranges of the scenario keys they stand for), in the command's usage problem.
extension RunCommand {
    /// `text` in `Units.duration`'s syntax and within `range`; otherwise "`flag` wants `what`, got
    /// 'text'", with what was wrong with the text when it is not a duration at all.
    static func duration(_ text: String, flag: String, within range: ClosedRange<TimeSpan>,
                         wants what: String) throws(UsageProblem) -> TimeSpan {
        try usage { () throws(FlagError) in try FlagValue.duration(text, flag: flag, within: range, wants: what) }
    }

    /// `--heartbeat`: `FleetLimits.heartbeat`.
    static func heartbeatInterval(_ text: String) throws(UsageProblem) -> TimeSpan {
        try usage { () throws(FlagError) in try FlagValue.heartbeat(text) }
    }

    /// `--qos`: 0, 1 or 2.
    static func qualityOfService(_ text: String) throws(UsageProblem) -> Int {
        try usage { () throws(FlagError) in try FlagValue.qos(text) }
    }

    /// `--ramp`: devices per second, `FleetLimits.rampPerSecond`.
    static func rampRate(_ text: String) throws(UsageProblem) -> Double {
        try usage { () throws(FlagError) in try FlagValue.ramp(text) }
    }

    /// `--seed`: a whole number.
    static func seedValue(_ text: String) throws(UsageProblem) -> UInt64 {
        try usage { () throws(FlagError) in try FlagValue.seed(text) }
    }

    static func usage<T>(_ parse: () throws(FlagError) -> T) throws(UsageProblem) -> T {
        do { return try parse() } catch { throw UsageProblem(message: error.message) }
    }
}
