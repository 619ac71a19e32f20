import DeviceCore

/// The figures a running fleet can report at any moment (from `FleetSnapshot`), laid out like the
/// final report so timeline conditions use the same language and the same evaluator.
public enum LiveFigures {
    static let paths: [[String]] = [
        ["devices", "requested"], ["devices", "connected"], ["devices", "online_at_end"], ["devices", "failed"],
        ["messages", "sent"], ["messages", "received"], ["reconnects"],
    ]

    static let description = "online, connected, requested, failed_devices, sent, received, reconnects, errors.*, fleet.version[…], fleet.state[\"updating\"]"

    static func isLive(_ path: [String]) -> Bool {
        paths.contains(path) || (path.count == 2 && path[0] == "errors") || (path.count == 3 && path[0] == "fleet" && path[1] == "version")
            || path == ["fleet", "state", "updating"]
    }

    /// Whether a condition reads `fleet.version` (which costs a pass over every device to sample).
    static func needsVersions(_ c: Comparison) -> Bool {
        RuntimeSupport.figures(c).contains { $0.path.count == 3 && $0.path[0] == "fleet" && $0.path[1] == "version" }
    }

    /// A report-shaped document of the snapshot, for `ExpectationEvaluator.holds`.
    public static func document(_ s: FleetSnapshot, versions: [String: Int] = [:]) -> ReportDocument {
        let errors = s.errors.sorted { $0.key < $1.key }.map { JSONMember($0.key, .int($0.value)) }
        return ReportDocument(.object([
            JSONMember("devices", .object([
                JSONMember("requested", .int(s.requested)), JSONMember("connected", .int(s.everConnected)),
                JSONMember("online_at_end", .int(s.online)), JSONMember("failed", .int(s.neverConnected)),
            ])),
            JSONMember("messages", .object([JSONMember("sent", .int(s.sent)), JSONMember("received", .int(s.received))])),
            JSONMember("reconnects", .int(s.reconnects)),
            JSONMember("errors", .object(errors)),
            JSONMember("fleet", .object([JSONMember("version", .object(versions.sorted { $0.key < $1.key }
                .map { JSONMember($0.key, .int($0.value)) })),
                                         // devices with an update in progress (downloading, retrying, verifying, rebooting)
                                         JSONMember("state", .object([JSONMember("updating", .int(s.updating))]))])),
        ]))
    }
}
