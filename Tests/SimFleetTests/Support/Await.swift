import Foundation
import XCTest
@testable import SimFleet

/// Waits until `condition` holds or `timeout` passes (checked every 20 ms); fails the test on timeout.
@discardableResult
func awaitCondition(_ what: String, timeout: Double, file: StaticString = #filePath, line: UInt = #line,
                    _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if condition() { return true }
        usleep(20_000)
    }
    if condition() { return true }
    XCTFail("timed out after \(timeout) s waiting for: \(what)", file: file, line: line)
    return false
}

/// A real `mosquitto_sub` subscriber, collecting `topic payload` lines.
final class Subscriber: @unchecked Sendable {
    private let process = Process()
    private let pipe = Pipe()
    private let lock = NSLock()
    private var buffer = Data()

    /// On the embedded broker as its read-only watcher account (the observer's own account would
    /// take over the observer's session: the client id is the user name there).
    convenience init(broker: EmbeddedBroker, topic: String) throws {
        try self.init(port: broker.ports[0], topic: topic, username: broker.watcherUser, password: broker.watcherPassword)
    }

    init(port: Int, topic: String, username: String, password: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        var args = ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-v", "-q", "1", "-u", username, "-i", "test-subscriber-\(getpid())"]
        if let password { args += ["-P", password] }
        process.arguments = args
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self else { return }
            self.lock.lock()
            self.buffer.append(d)
            self.lock.unlock()
        }
        try process.run()
    }

    /// Complete lines received so far, as (topic, payload).
    var messages: [(topic: String, payload: String)] {
        lock.lock()
        let text = String(decoding: buffer, as: UTF8.self)
        lock.unlock()
        return text.split(separator: "\n").compactMap { line -> (topic: String, payload: String)? in
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (String(parts[0]), String(parts[1]))
        }
    }

    func stop() {
        pipe.fileHandleForReading.readabilityHandler = nil
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
