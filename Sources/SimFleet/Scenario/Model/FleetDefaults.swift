import DeviceCore

/// Every default of a fleet and its run, written once. The scenario schema (a key left out), the
/// `simfleet run` flags (a flag left out, and its help text), `FleetConfiguration()` and
/// docs/scenarios.md all take them from here; `FleetDefaultsDocumentedTests` reads the docs' tables
/// back and compares.
public enum FleetDefaults {
    /// Devices of a flags-only run (`--devices`); a scenario's group must say its `count`.
    public static let devices = 100
    /// Steady time after the ramp of a flags-only run (`--duration`); a scenario must say its `duration`.
    public static let steady = TimeSpan.seconds(60)
    /// Heartbeat interval (`heartbeat:`, `--heartbeat`).
    public static let heartbeat = TimeSpan.seconds(10)
    /// QoS of heartbeats (`qos:`, `--qos`).
    public static let qos = 1
    /// Connect ramp, devices powered on per second (`ramp:`, `--ramp`).
    public static let rampPerSecond = 1000.0
    /// Seed of every random choice (`seed:`, `--seed`).
    public static let seed: UInt64 = 1
    /// Chip of every device (`chip:`, `--chip`).
    public static let chip = ChipModel.esp32c6
    /// Firmware version the devices boot (`firmware:`, `--firmware`).
    public static let firmwareVersion = "1.0.0"
    /// Device id template (`id:`, `--id-template`).
    public static let idTemplate = "{chip}-{n:06}"
    /// Devices start with WiFi credentials (`provisioned:`; `--unprovisioned` turns it off).
    public static let provisioned = true
    /// The name of a fleet's only group (`name:` left out with one group; a flags-only run's group).
    public static let groupName = "fleet"
    /// MQTT keepalive of every device (`mqtt: {keepalive}`): the firmware's own default.
    public static let keepAlive = TimeSpan.seconds(Int64(DeviceConfig(baseMAC: [0, 0, 0, 0, 0, 0]).keepAliveSeconds))
    /// Reactor timer tick (`--timer-tick`), FreeRTOS's default tick.
    public static let timerTickMs = 10
    /// Longest wait at the end of a run for in-flight heartbeats to reach the observer.
    public static let drainSeconds = 5.0
    /// Port of a device's local web server (`device_http: {port}`, `--device-http-port`).
    public static let deviceHTTPPort = 8080
    /// The 127.X.0.0/16 block of the portals and device web servers (`device_http: {pool}`, `--ap-pool`).
    public static let addressBlock: UInt8 = 20
    /// `addressBlock` as written in a file or a flag.
    public static var addressPool: String { "127." + String(addressBlock) + ".0.0/16" }
}

/// The accepted range of each setting that a scenario file and a flag both take, written once, so a
/// value one accepts the other accepts too.
public enum FleetLimits {
    /// `heartbeat:` and `--heartbeat`.
    public static let heartbeat: ClosedRange<TimeSpan> = .milliseconds(100) ... .seconds(3600)
    /// `qos:` and `--qos`.
    public static let qos: ClosedRange<Int> = 0...2
    /// `ramp:` and `--ramp`, devices per second (a slower ramp would put the last device's power-on
    /// beyond any run; `1e-300/s` overflowed the schedule).
    public static let rampPerSecond: ClosedRange<Double> = 0.001...1_000_000
    /// A group's `count:`.
    public static let groupDevices: ClosedRange<Int> = 1...100_000
    /// `--devices` of a flags-only run (one group, no scenario file to keep small).
    public static let flagsDevices: ClosedRange<Int> = 1...1_000_000
    /// A scenario's `duration:` and `--duration` over a scenario file: the whole run.
    public static let scenarioDuration: ClosedRange<TimeSpan> = .seconds(1) ... .seconds(86_400)
    /// `--duration` of a flags-only run: the steady time after the ramp, up to a week (a soak test;
    /// the progress clock and the sampling deadlines stay far from overflow).
    public static let steady: ClosedRange<TimeSpan> = .zero ... .seconds(7 * 86_400)
    /// `mqtt: {keepalive}`: what libmosquitto accepts; a real device's keepalive is whole seconds.
    public static let keepAlive: ClosedRange<TimeSpan> = .seconds(5) ... .seconds(65_535)
}
