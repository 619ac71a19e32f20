import DeviceCore

/// What tests look at in a virtual fleet: the status messages the observer received (as a
/// `mosquitto_sub` of `device/+/status` shows them on sockets) and the flash the devices hold.
extension VirtualFleet {
    /// Keep every status message the observer receives (call before `begin`).
    public func recordStatuses() {
        for p in partitions { p.statusLog = [:] }
    }

    /// The status messages of device `index` as the backend received them, parsed, in order
    /// (the offline will included).
    public func statuses(of index: Int) -> [JSONValue] {
        guard let (p, slot) = locate(index) else { return [] }
        return (p.statusLog?[slot] ?? []).compactMap { try? JSONReader().parse($0) }
    }

    /// The device's latest heartbeat (a status carrying `fw`; the offline will is skipped).
    public func latestStatus(of index: Int) -> JSONValue? { statuses(of: index).last { $0["fw"] != nil } }

    /// Flash bytes the devices hold privately (image bytes not shared, otadata).
    public func privateFlashBytes() -> Int {
        partitions.reduce(0) { total, p in total + p.hosts.reduce(0) { $0 + ($1.chip?.flash.privateBytes ?? 0) } }
    }

    /// The file the scripted origin serves at `path`.
    public func originFile(_ path: String) -> [UInt8]? { originFiles[path] }

    /// Sums every device's OTA counters.
    public func otaOutcomes() -> OTAOutcomes {
        var o = OTAOutcomes()
        for p in partitions { for h in p.hosts { o.add(h.firmware.counters) } }
        return o
    }
}
