import DeviceCore
import Foundation
import Glibc

/// The end of a virtual run: the same report as a socket run's, built from the partitions.
extension VirtualFleet {
    func report(startedAt: Date, wallSeconds: Double, cpuSeconds: Double) -> FleetReport {
        let s = snapshot()
        var connect = LatencyRecorder()
        var e2e = LatencyRecorder()
        var lost = 0
        var detail: [(device: String, seq: Int)] = []
        var failures: [DeviceFailure] = []
        var observed: [String] = []
        var ota = OTAOutcomes()
        for p in partitions {
            connect.merge(p.connectLatency)
            e2e.merge(p.e2e)
            for h in p.hosts {
                if configuration.qos == 1 {
                    let missing = h.acknowledged.subtracting(h.received)
                    lost += missing.count
                    for key in missing where detail.count < 100 { detail.append((h.identity.id, HeartbeatFields.seq(ofKey: key))) }
                }
                if let f = h.failure { failures.append(f) }
                if h.received.count > 0 { observed.append(h.identity.id) }
                ota.add(h.firmware.counters)
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let simulated = Double((now - start).microseconds) / 1e6
        var report = FleetReport(
            configuration: configuration, startedAt: startedAt, durationSeconds: simulated, brokerURL: "virtual://scripted-broker",
            embedded: true, snapshot: s, lost: lost, lostDetail: detail, unacknowledged: max(0, s.sent - s.acknowledged),
            connectLatency: connect, e2eLatency: e2e, versions: versionCounts(), peakRSSBytes: Int(usage.ru_maxrss) * 1024,
            cpuSeconds: cpuSeconds, reactors: partitions.count, budget: DescriptorBudget(softLimit: 0, hardLimit: 0, openAtStart: 0),
            observerReconnects: 0, timeseries: timeseriesSoFar)
        report.failures = Array(failures.sorted { $0.device < $1.device }.prefix(100))
        report.observedIDs = observed.sorted()
        report.timerTickMs = 0
        report.originStats = configuration.ota.modelFlash ? originStats() : nil
        report.commands = commandsSent
        report.otaOutcomes = ota
        let allConnected = s.everConnected == configuration.devices && s.lastFirstConnectMicros > 0
        report.connectAllSeconds = allConnected ? Double(Int64(s.lastFirstConnectMicros) - start.microseconds) / 1e6 : nil
        report.timeseriesIntervalSeconds = Int(sampleInterval.microseconds / 1_000_000)
        report.virtualTime = VirtualTimeFigures(simulatedSeconds: simulated, wallSeconds: wallSeconds, heartbeats: s.sent)
        return report
    }
}

/// How fast a virtual-time run went (the report's `simulator.virtual_time`).
public struct VirtualTimeFigures: Sendable, Equatable {
    public var simulatedSeconds: Double
    public var wallSeconds: Double
    /// Status publishes the devices made (heartbeats and state changes).
    public var heartbeats: Int

    public var simulatedPerWallSecond: Double { wallSeconds > 0 ? simulatedSeconds / wallSeconds : 0 }
    public var heartbeatsPerWallSecond: Double { wallSeconds > 0 ? Double(heartbeats) / wallSeconds : 0 }
}
