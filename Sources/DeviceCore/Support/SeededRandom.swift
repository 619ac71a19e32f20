/// Deterministic pseudo-random source (SplitMix64). The host seeds it, so a run can be repeated
/// exactly; DeviceCore never reads entropy on its own.
public struct SeededRandom: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { self.state = seed }

    /// Next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform value in `0...upperInclusive` without modulo bias.
    public mutating func next(upTo upperInclusive: UInt64) -> UInt64 {
        if upperInclusive == UInt64.max { return next() }
        let bound = upperInclusive + 1
        let threshold = (0 &- bound) % bound
        while true {
            let r = next()
            if r >= threshold { return r % bound }
        }
    }
}
