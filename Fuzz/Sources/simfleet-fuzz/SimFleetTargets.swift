import DeviceCore
import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import SimFleet

/// Targets over SimFleet's own readers of foreign input: what the observer takes off the broker,
/// what a firmware server answers, what a user writes in a scenario file.
let simFleetTargets: [FuzzTarget] = [
    FuzzTarget(name: "status", summary: "observer fast path: status messages (split at NUL) for two devices") { bytes in
        let observer = Observer(reactor: fuzzReactor, endpoint: BrokerEndpoint(host: "127.0.0.1", port: 1), username: nil, password: nil)
        for (i, message) in bytes.split(separator: 0, maxSplits: 16, omittingEmptySubsequences: false).enumerated() {
            let topic = Array((i % 3 == 2 ? "device/b/status" : "device/a/status").utf8)
            _ = HeartbeatFields(payload: Array(message))
            _ = try? StatusMessage(parsing: Array(message))
            topic.withUnsafeBufferPointer { t in
                Array(message).withUnsafeBytes { p in observer.mqttMessage(topic: t, payload: p) }
            }
        }
    },
    FuzzTarget(name: "download-headers", summary: "firmware server's response heads (split at a '--' line) driving an OTA download") { bytes in
        var device = FuzzDevice(accessPoint: false)
        device.send(.mqtt(.message(topic: device.device.topics.ota,
                                   payload: Array(#"{"version":"2.0.0","url":"http://127.0.0.1:8080/fw.bin"}"#.utf8))))
        let responses = split(bytes, at: Array("\n--\n".utf8)).prefix(6)
        for (i, response) in responses.enumerated() {
            if i > 0 {
                device.send(.download(.failed(.connectionLost)))
                device.runDeadlines(count: 4)
            }
            var head = ResponseHead()
            var lines = response.split(separator: 0x0A, omittingEmptySubsequences: false)[...]
            while let line = lines.popFirst() {
                let event = (Array(line) + [0x0A]).withUnsafeBytes { head.consume(line: $0) }
                if let event { device.send(.download(event)); break }
            }
            let body = lines.joined(separator: [0x0A])
            var chunks = Array(body)[...]
            while !chunks.isEmpty {
                device.send(.download(.data(Array(chunks.prefix(512)))))
                chunks = chunks.dropFirst(512)
            }
        }
        device.send(.download(.finished))
        device.runDeadlines(count: 8)
    },
    FuzzTarget(name: "http-request", summary: "raw bytes to the device's web server: NIO's parser, PortalHTTPHandler, a Device (station or AP mode)") { bytes in
        var input = FuzzInput(bytes)
        let box = DeviceBox(FuzzDevice(accessPoint: input.flag()))
        let channel = EmbeddedChannel()
        do {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(PortalHTTPHandler(maxBodyBytes: 1024) { request, respond in
                box.device.actions = []
                box.device.send(.httpRequest(id: 7, request))
                box.device.runDeadlines(count: 4)
                for case let .httpRespond(_, response) in box.device.actions { respond(response) }
            })
            try channel.writeInbound(ByteBuffer(bytes: input.rest))
        } catch {}
        while let _ = try? channel.readOutbound(as: ByteBuffer.self) {}
        _ = try? channel.finish()
    },
    FuzzTarget(name: "scenario", summary: "scenario YAML (Yams) through the schema of docs/scenarios.md") { bytes in
        _ = try? ScenarioLoader.parse(bytes: bytes, file: "fuzz.yaml")
    },
]

/// The device behind the embedded channel's request handler (one thread: EmbeddedChannel runs inline).
final class DeviceBox: @unchecked Sendable {
    var device: FuzzDevice
    init(_ device: FuzzDevice) { self.device = device }
}

/// The observer needs a reactor to exist; it is never started (messages are handed over directly).
let fuzzReactor = Reactor(index: 0)

/// `bytes` cut at every occurrence of `separator`.
func split(_ bytes: [UInt8], at separator: [UInt8]) -> [[UInt8]] {
    var parts: [[UInt8]] = [], start = 0, i = 0
    while i + separator.count <= bytes.count {
        if bytes[i..<(i + separator.count)].elementsEqual(separator) {
            parts.append(Array(bytes[start..<i]))
            i += separator.count
            start = i
        } else {
            i += 1
        }
    }
    parts.append(Array(bytes[start...]))
    return parts
}
