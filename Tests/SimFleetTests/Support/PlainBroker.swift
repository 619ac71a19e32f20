import Foundation
import XCTest
@testable import SimFleet

/// A mosquitto the test starts itself, anonymous and without ACLs: "someone else's broker" to a
/// run that is given it with `broker: mqtt://…` (simfleet does not manage it). `settings` are extra
/// lines of its configuration (a team's own limits, e.g. `max_queued_messages 20`).
final class PlainBroker {
    let port: Int
    private let process = Process()
    private let conf: String

    init(settings: String = "") throws {
        port = EmbeddedBroker.freePort()
        conf = NSTemporaryDirectory() + "simfleet-plain-broker-\(UUID().uuidString).conf"
        try """
            user \(EmbeddedBroker.currentUser)
            persistence false
            allow_anonymous true
            \(settings)
            listener \(port) 127.0.0.1
            """.write(toFile: conf, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(EmbeddedBroker.which("mosquitto")))
        process.arguments = ["-c", conf]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        awaitCondition("mosquitto listening on \(port)", timeout: 10) { EmbeddedBroker.accepts(port: self.port) }
    }

    var url: String { "mqtt://127.0.0.1:\(port)" }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: conf)
    }
}
