/// A plausible free-heap figure without simulating an allocator: `afterBoot` minus a wobble of up to
/// `variation` bytes that depends only on the sample number (so it does not consume the device's RNG).
public struct FreeHeapModel: Equatable, Sendable {
    public var afterBoot: Int
    public var variation: Int

    public init(afterBoot: Int = 241_664, variation: Int = 4096) {
        self.afterBoot = afterBoot
        self.variation = variation
    }

    /// Free heap at the `sample`-th observation of a device seeded with `seed`.
    public func freeHeap(sample: UInt64, seed: UInt64) -> Int {
        guard variation > 0 else { return afterBoot }
        var mix = SeededRandom(seed: seed ^ (sample &* 0x2545_F491_4F6C_DD1D))
        return afterBoot - Int(mix.next(upTo: UInt64(variation)))
    }
}
