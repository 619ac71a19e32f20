/// One-second samples of the run for the HTML report's charts.
public struct Timeseries: Sendable {
    public private(set) var t: [Int] = []
    public private(set) var online: [Int] = []
    public private(set) var connecting: [Int] = []
    public private(set) var messagesPerSecond: [Int] = []
    public private(set) var errors: [Int] = []
    /// Cumulative planned disconnects (restarts into updates, injected power faults): not errors.
    public private(set) var plannedDisconnects: [Int] = []
    public private(set) var versions: [String: [Int]] = [:]

    mutating func append(t second: Int, snapshot s: FleetSnapshot, messagesPerSecond mps: Int, versions v: [String: Int]) {
        let n = t.count
        t.append(second)
        online.append(s.online)
        connecting.append(s.connecting)
        messagesPerSecond.append(mps)
        errors.append(s.errorTotal)
        plannedDisconnects.append(s.plannedDisconnectTotal)
        for key in Set(versions.keys).union(v.keys) {
            var series = versions[key] ?? Array(repeating: 0, count: n)
            series.append(v[key] ?? 0)
            versions[key] = series
        }
    }
}
