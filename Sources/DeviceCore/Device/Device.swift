/// A simulated ESP32's firmware, as a value: the host feeds it events with the current time and
/// performs the actions it returns. All state, volatile and flash-backed, lives here.
public struct Device<Crypto: DeviceCrypto> {
    public init() {}

    /// Handles one event at time `now` and returns the actions the host must perform, in order.
    public mutating func handle(_ event: Event, at now: Instant) -> [Action] {
        []
    }

    /// The earliest time the device needs a `.tick`, nil when it waits only for I/O.
    public var nextDeadline: Instant? { nil }
}
