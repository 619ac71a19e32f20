/// What the sensor task reads of its device on a tick: the device's constants (streams, resolved
/// topics, id; by reference) and its uptime. Built by `Device` per tick and passed in, as
/// `OTAContext` is, so the task stores nothing per device beyond its channels.
struct TelemetryContext {
    /// The device's constants.
    let fixed: DeviceFixed
    /// Whole seconds since power-on (the `{uptime}` placeholder).
    let uptimeSeconds: Int64

    /// The configured streams, in the order of the task's channels.
    var streams: [TelemetryStream] { fixed.config.telemetry }
}
