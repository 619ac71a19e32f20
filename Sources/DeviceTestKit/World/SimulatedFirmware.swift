import DeviceCore

/// What a simulated device runs: DeviceCore's `Device`, or a firmware team's own logic built around
/// it. Events in, actions out, a deadline for the next `.tick`, as `Device` does.
public protocol SimulatedFirmware {
    /// Handles one event at `now`; the host performs the returned actions in order.
    mutating func handle(_ event: Event, at now: Instant) -> [Action]
    /// When the firmware next needs a `.tick`; nil when it only waits for I/O.
    var nextDeadline: Instant? { get }
    /// Called right before each `.powerOn`, after the bootloader: the app reads its own data
    /// partitions here (ESP-IDF's `esp_partition_read` at start-up). Default: reads nothing.
    mutating func starting<Flash: FlashMemory>(from flash: Flash)
}

extension SimulatedFirmware {
    public mutating func starting<Flash: FlashMemory>(from flash: Flash) {}
}

extension Device: SimulatedFirmware {}
