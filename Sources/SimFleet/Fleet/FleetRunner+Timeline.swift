import DeviceCore
import Dispatch
import Foundation
import Glibc

/// Timeline actions the scenario engine calls while a run goes on (thread-safe).
extension FleetRunner {

    /// Power-cycles the devices at these fleet indices: no DISCONNECT (their last wills fire), back after `offFor`.
    public func powerCycle(devices: [Int], offFor: TimeSpan) {
        forEachHost(devices) { h, now in h.powerCycle(offFor: offFor, now: now) }
    }

    /// Takes WiFi away from these devices for `downFor`.
    public func dropWiFi(devices: [Int], downFor: TimeSpan) {
        forEachHost(devices) { h, now in h.dropWiFi(downFor: downFor, now: now) }
    }

    /// ACL probe: each device subscribes to `topic(index)` (e.g. another device's status topic);
    /// the report's `acl` section counts what the broker refused and allowed.
    public func probeACL(devices: [Int], topic: @escaping @Sendable (Int) -> String) {
        forEachHost(devices) { h, _ in h.probeSubscription(topic(h.identity.index)) }
    }

    /// ACL probe with a stolen credential: for each device a second client logs in with the device's
    /// user name and password but the client id `claim(index).id` and subscribes to that device's
    /// status topic `claim(index).topic` (`SpoofedClientIDProbe`); counted in the report's `acl`
    /// section like `probeACL`.
    public func probeSpoofedClientID(devices: [Int], as claim: @escaping @Sendable (Int) -> (id: String, topic: String)) {
        forEachHost(devices) { h, _ in
            let c = claim(h.identity.index)
            h.probeSpoofedClientID(c.id, topic: c.topic)
        }
    }

    /// Changes the faults the embedded firmware origin injects (corrupt, truncate, drop, rate limit).
    public func setOriginFaults(_ faults: OriginFaults) {
        origin?.setFaults(faults)
    }

    /// Restarts the embedded broker (same ports); devices see the connection drop and reconnect with backoff.
    public func restartBroker(downForSeconds: Double) throws(FleetError) {
        guard let broker else { throw .invalid("restartBroker needs the embedded broker") }
        do { try broker.restart(downForSeconds: downForSeconds) } catch { throw .broker(error) }
    }

    /// Kills the embedded broker with SIGKILL, as something outside simfleet might: no stop, no
    /// restart asked for. The broker's keeper notices and starts it again on the same ports.
    public func killBroker() throws(FleetError) {
        guard let broker else { throw .invalid("killBroker needs the embedded broker") }
        let pid = broker.processID
        guard pid > 0 else { throw .invalid("the embedded broker is not running") }
        kill(pid, SIGKILL)
    }

    /// Publishes `payload` (QoS 1) to each device's OTA topic (`device/<id>/ota` by default), e.g. an OTA command.
    public func sendCommand(devices: [Int], payload: [UInt8]) {
        let topics = devices.map { configuration.deviceTopics($0).ota }
        commandsSent.add(topics.count, ordering: .relaxed)
        observer?.publish(topics: topics, payload: payload)
    }

    /// Reads something from one device's firmware state on its reactor thread (nil before it exists).
    public func inspectDevice<T>(_ index: Int, _ body: @escaping (FleetDevice) -> T) -> T? {
        let n = shards.count
        // Fleet index → position in this process's slice (nil: another shard runs that device).
        guard let index = configuration.slice.localIndex(ofFleet: index), index < configuration.localDevices, n > 0 else { return nil }
        let shard = shards[index % n]
        return syncOn(shard.reactor) { shard.host(fleetIndex: index, stride: n).map { body($0.firmware) } }
    }

    /// Device ids by fleet index (same seed, same ids).
    public func deviceID(_ index: Int) -> String { configuration.deviceSpec(index).id }

    func forEachHost(_ devices: [Int], _ body: @escaping (DeviceHost, Instant) -> Void) {
        let devices = devices.compactMap { configuration.slice.localIndex(ofFleet: $0) }  // this slice's, by position
        let n = shards.count
        for (r, shard) in shards.enumerated() {
            let mine = devices.filter { $0 % n == r }
            guard !mine.isEmpty else { continue }
            shard.reactor.post { _ in
                let now = HostClock.now()
                for i in mine { if let h = shard.host(fleetIndex: i, stride: n) { body(h, now) } }
            }
        }
    }

}
