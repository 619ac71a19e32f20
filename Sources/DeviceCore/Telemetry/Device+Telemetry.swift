/// The sensor task inside the device: its streams publish while the broker session is up.
extension Device {
    /// Publishes the telemetry messages due at `now` (only with a live broker session).
    mutating func telemetryTick(at now: Instant, actions: inout [Action]) {
        guard isMQTTConnected else { return }
        let device = TelemetryContext(fixed: fixed, uptimeSeconds: uptime(at: now).microseconds / 1_000_000)
        actions = telemetry.tick(at: now, device: device, continuing: TelemetryTask.Output(continuing: &actions)).actions
    }

    /// Telemetry messages published so far, per configured stream (kept across reboots).
    public var telemetryPublished: [Int] { telemetry.published }
}
