import DeviceCore

/// A command-line value that cannot be used: the message names the flag and the value, as the
/// scenario schema names the key and its line (`simfleet run` prints it and exits 2).
public struct FlagError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The flag, `--heartbeat`.
    public var flag: String
    /// The whole message, starting with the flag.
    public var message: String

    public init(flag: String, message: String) {
        self.flag = flag
        self.message = message
    }

    public var description: String { message }
}

/// The values of the flags a flags-only run and a scenario run read alike: one parser each, the
/// ranges of `FleetLimits` (those of the scenario keys they stand for), one message.
public enum FlagValue {
    /// `text` in `Units.duration`'s syntax and within `range`; otherwise "`flag` wants `what`, got
    /// 'text'", with what was wrong with the text when it is not a duration at all.
    public static func duration(_ text: String, flag: String, within range: ClosedRange<TimeSpan>,
                                wants what: String) throws(FlagError) -> TimeSpan {
        let span: TimeSpan
        do { span = try Units.duration(text) } catch {
            throw FlagError(flag: flag, message: flag + " wants " + what + ", got '" + text + "': " + error.reason)
        }
        guard range.contains(span) else { throw FlagError(flag: flag, message: flag + " wants " + what + ", got '" + text + "'") }
        return span
    }

    /// `--heartbeat`: `FleetLimits.heartbeat`, as the groups' `heartbeat:`.
    public static func heartbeat(_ text: String) throws(FlagError) -> TimeSpan {
        try duration(text, flag: "--heartbeat", within: FleetLimits.heartbeat,
                     wants: "a time from " + Units.format(FleetLimits.heartbeat.lowerBound) + " to "
                        + Units.format(FleetLimits.heartbeat.upperBound) + " like " + Units.format(FleetDefaults.heartbeat))
    }

    /// `--qos`: 0, 1 or 2.
    public static func qos(_ text: String) throws(FlagError) -> Int {
        guard let v = Int(text), FleetLimits.qos.contains(v) else {
            throw FlagError(flag: "--qos", message: "--qos must be 0, 1 or 2, got '" + text + "'")
        }
        return v
    }

    /// `--ramp`: `1000/s` or `1000`, devices per second within `FleetLimits.rampPerSecond`.
    public static func ramp(_ text: String) throws(FlagError) -> Double {
        let number = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
        guard let rate = Double(number), rate.isFinite, FleetLimits.rampPerSecond.contains(rate) else {
            throw FlagError(flag: "--ramp", message: "--ramp wants 0.001/s to 1000000/s devices per second like 1000/s, got '" + text + "'")
        }
        return rate
    }

    /// `--seed`: a whole number.
    public static func seed(_ text: String) throws(FlagError) -> UInt64 {
        guard let v = UInt64(text) else { throw FlagError(flag: "--seed", message: "--seed wants a whole number, got '" + text + "'") }
        return v
    }
}

extension FleetFlags {
    /// The fleet of a flags-only run from the flags' text; a flag left out (nil) takes its
    /// `FleetDefaults` value, as the scenario key it stands for does.
    public init(devices: String? = nil, duration: String? = nil, heartbeat: String? = nil, qos: String? = nil,
                ramp: String? = nil, seed: String? = nil, chip: String? = nil, firmware: String? = nil,
                idTemplate: String? = nil, unprovisioned: Bool = false) throws(FlagError) {
        self.init()
        if let devices {
            guard let n = Int(devices), FleetLimits.flagsDevices.contains(n) else {
                throw FlagError(flag: "--devices", message: "--devices wants a whole number ≥ 1, got '" + devices + "'")
            }
            self.devices = n
        }
        if let duration {
            steady = try FlagValue.duration(duration, flag: "--duration", within: FleetLimits.steady,
                                            wants: "a time from 0s to 7 days like 60s or 5m")
        }
        if let heartbeat { self.heartbeat = try FlagValue.heartbeat(heartbeat) }
        if let qos { self.qos = try FlagValue.qos(qos) }
        if let ramp { rampPerSecond = try FlagValue.ramp(ramp) }
        if let seed { self.seed = try FlagValue.seed(seed) }
        if let chip {
            guard let model = ChipModel(name: chip) else {
                throw FlagError(flag: "--chip", message: "--chip must be esp32, esp32s3, esp32c3 or esp32c6, got '" + chip + "'")
            }
            self.chip = model
        }
        if let firmware { self.firmware = firmware }
        if let idTemplate {
            do { try IDTemplate.validate(idTemplate, count: self.devices, at: .flag("--id-template")) } catch {
                throw FlagError(flag: "--id-template", message: "--id-template '" + idTemplate + "': " + error.message)
            }
            self.idTemplate = idTemplate
        }
        provisioned = !unprovisioned
    }
}
