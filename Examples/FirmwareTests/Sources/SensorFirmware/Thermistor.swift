import DeviceCore

/// The board's temperature sensor as the firmware reads it: a slow daily swing around `baseCelsius`
/// with a little seeded noise. A function of time, so a test's virtual clock decides what it reads.
public struct Thermistor: Sendable {
    public var baseCelsius: Double
    public var seed: UInt64

    public init(baseCelsius: Double = 21.5, seed: UInt64 = 1) {
        self.baseCelsius = baseCelsius
        self.seed = seed
    }

    /// Degrees Celsius at `now` (tenths of a degree, as the ADC driver rounds them).
    public func read(at now: Instant) -> Double {
        let minutes = Double(now.microseconds / 60_000_000 % 1440)
        let swing = minutes < 720 ? minutes / 720 : (1440 - minutes) / 720  // 0 at midnight, 1 at noon
        var noise = SeededRandom(seed: seed ^ UInt64(truncatingIfNeeded: now.microseconds / 1_000_000))
        let jitter = Double(Int(noise.next(upTo: 4)) - 2) / 10
        return ((baseCelsius + 4 * swing + jitter) * 10).rounded() / 10
    }
}
