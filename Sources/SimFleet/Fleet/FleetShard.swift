import DeviceCore

/// The devices one reactor owns. Created on any thread, then touched only on its reactor's thread.
final class FleetShard: @unchecked Sendable {
    let reactor: Reactor
    private(set) var hosts: [DeviceHost] = []
    private var frozen = false

    init(reactor: Reactor) { self.reactor = reactor }

    /// Adds devices (reactor thread).
    func add(_ new: [DeviceHost]) {
        reactor.reserve(clients: new.count)
        for h in new { h.attach() }
        hosts.append(contentsOf: new)
    }

    /// The host of fleet index `index` (this shard holds every `stride`-th device).
    func host(fleetIndex: Int, stride: Int) -> DeviceHost? {
        let i = fleetIndex / stride
        return i < hosts.count ? hosts[i] : nil
    }

    /// No more timers: devices stop heartbeating while their connections stay up for the drain.
    func freeze() {
        frozen = true
        for h in hosts { h.freeze() }
    }

    /// Device HTTP requests still on the wire (reactor thread).
    var httpInFlight: Int { reactor.createdDownloads?.inFlight ?? 0 }

    /// Ends every device HTTP request still on the wire, each counted as `aborted`, so the report
    /// accounts for every request made (reactor thread, at the end of a run).
    func abortHTTP() {
        guard let curl = reactor.createdDownloads else { return }
        for h in hosts { h.abortDownload() }
        curl.abortPosts()
    }

    func shutdown() {
        for h in hosts { h.shutdown() }
        reactor.faultProxy?.shutdown()
        hosts.removeAll()
        census = nil
    }

    /// Versions the devices run, for the timeseries and the report.
    func versionCounts() -> [String: Int] {
        // Asked once a second: recounted only after some device changed version or power state.
        let changes = reactor.counters.versionChanges.load(ordering: .relaxed)
        if let census, census.changes == changes { return census.counts }
        let counts = countVersions()
        census = (changes, counts)
        return counts
    }

    private var census: (changes: Int, counts: [String: Int])?

    private func countVersions() -> [String: Int] {
        // Count runs of the same version (nearly always one run) and hash only when it changes.
        var out: [String: Int] = [:]
        var current: String? = nil
        var run = 0
        for h in hosts where h.isPoweredOn {
            if h.runningVersion == current {
                run += 1
                continue
            }
            if let current { out[current, default: 0] += run }
            current = h.runningVersion
            run = 1
        }
        if let current { out[current, default: 0] += run }
        return out
    }
}
