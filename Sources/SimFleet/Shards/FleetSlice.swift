/// One of N disjoint, deterministic slices of a fleet (`--shard I/N`, I counted from 0): the
/// devices whose fleet index `i` has `i % N == I`. Every device keeps its place in the whole
/// fleet (id, MAC, seed, power-on offset, cohort), so the union of the N slices is the unsharded
/// fleet. Striding rather than cutting blocks keeps every slice's ramp at the scenario's rate
/// and spreads every group and cohort evenly over the shards.
public struct FleetSlice: Sendable, Equatable, CustomStringConvertible {
    /// 0-based position of this slice.
    public let index: Int
    /// How many slices the fleet is cut into (≥ 1).
    public let count: Int

    /// The whole fleet as one slice (`0/1`).
    public static let whole = FleetSlice(uncheckedIndex: 0, count: 1)

    /// nil unless `0 <= index < count`.
    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    private init(uncheckedIndex: Int, count: Int) {
        self.index = uncheckedIndex
        self.count = count
    }

    /// Parses `I/N` (`0/4` … `3/4`); nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { String(index) + "/" + String(count) }

    /// Whether fleet index `fleetIndex` belongs to this slice.
    public func owns(_ fleetIndex: Int) -> Bool { fleetIndex >= 0 && fleetIndex % count == index }

    /// How many of a fleet of `fleetSize` devices this slice holds.
    public func size(ofFleet fleetSize: Int) -> Int {
        fleetSize > index ? (fleetSize - index - 1) / count + 1 : 0
    }

    /// The slice's `local`-th device (0-based) as a fleet index.
    public func fleetIndex(ofLocal local: Int) -> Int { local * count + index }

    /// The position of fleet index `fleetIndex` within this slice, nil when another slice holds it.
    public func localIndex(ofFleet fleetIndex: Int) -> Int? {
        owns(fleetIndex) ? fleetIndex / count : nil
    }

    /// The fleet indices this slice holds, ascending.
    public func fleetIndices(ofFleet fleetSize: Int) -> StrideTo<Int> { stride(from: index, to: fleetSize, by: count) }
}

extension FleetConfiguration {
    /// Devices this process runs: the slice's share of `devices`.
    public var localDevices: Int { slice.size(ofFleet: devices) }

    /// The address device `local` (position in this slice) binds before connecting: the
    /// `--source-ip` pool in turn, else a spread over 127.0.0.x for a loopback broker, else none.
    func bindAddress(local: Int, loopbackBroker: Bool) -> String? {
        if !sourceAddresses.isEmpty { return sourceAddresses[local % sourceAddresses.count] }
        return loopbackBroker ? ConnectionSpread.sourceAddress(index: local, devices: localDevices) : nil
    }
}
