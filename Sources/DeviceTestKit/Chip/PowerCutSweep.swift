import DeviceCore

/// Power-loss proof in the style of MCUboot's simulator (`sim/`, `run_perm_with_fails`): given the
/// flash operations of a complete update (in the order the device performed them), rebuild the
/// flash as it would be after a power cut before every operation, in the middle of it, and after
/// the last one, and run the bootloader on each. A safe update always boots some valid image.
/// Test code, not firmware: it lives in `DeviceTestKit`, beside the chip model it exercises.
public struct PowerCutSweep<Crypto: DeviceCrypto> {
    /// Where the power went.
    public enum CutPoint: Equatable, Sendable {
        /// Operations `0..<index` completed, none of `index`.
        case before(index: Int)
        /// Operation `index` applied `numerator/denominator` of its bytes or sectors.
        case during(index: Int, numerator: Int, denominator: Int)
        /// Every operation completed.
        case afterAll
    }

    /// What booted after one cut.
    public struct Result: Equatable, Sendable {
        public var cut: CutPoint
        /// The bootloader's outcome, or its error when nothing booted.
        public var outcome: Swift.Result<BootOutcome, BootError>
    }

    public var bootloader: Bootloader<Crypto>

    public init(bootloader: Bootloader<Crypto>) { self.bootloader = bootloader }

    /// Runs the sweep from `initial` over `operations`. Writes of up to 32 bytes (otadata entries)
    /// are cut after every byte; longer writes and erases at their middle. Works on any storage.
    public func run<Flash: FlashMemory>(initial: Flash, efuses: EFuses, operations: [FlashOperation]) -> [Result] {
        var results: [Result] = []
        var flash = initial
        for (index, op) in operations.enumerated() {
            results.append(boot(flash, efuses, .before(index: index)))
            var fractions: [(Int, Int)] = [(1, 2)]
            if case let .write(_, bytes) = op, bytes.count <= 32, bytes.count > 1 {
                fractions = (1..<bytes.count).map { ($0, bytes.count) }
            }
            for (n, d) in fractions {
                var partial = flash
                if (try? partial.applyTorn(op, numerator: n, denominator: d)) != nil {
                    results.append(boot(partial, efuses, .during(index: index, numerator: n, denominator: d)))
                }
            }
            try? flash.apply(op)
        }
        results.append(boot(flash, efuses, .afterAll))
        return results
    }

    private func boot<Flash: FlashMemory>(_ flash: Flash, _ efuses: EFuses, _ cut: CutPoint) -> Result {
        var flash = flash
        var efuses = efuses
        do {
            return Result(cut: cut, outcome: .success(try bootloader.boot(flash: &flash, efuses: &efuses)))
        } catch {
            return Result(cut: cut, outcome: .failure(error))
        }
    }
}
