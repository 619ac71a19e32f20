import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// The embedded firmware origin (SwiftNIO) and the reactor's libcurl downloads, over real sockets.
final class FirmwareDownloadTests: XCTestCase {
    private var directory = ""
    private var image: [UInt8] = []
    private var origin: FirmwareOrigin!
    private var reactor: Reactor!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "simfleet-origin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var rng = SeededRandom(seed: 3)
        image = (0..<300_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Data(image).write(to: URL(fileURLWithPath: directory + "/app-1.2.0.bin"))
        origin = try FirmwareOrigin(directory: directory)
        try origin.start()
        reactor = Reactor(index: 0)
        reactor.start()
    }

    override func tearDown() {
        reactor.stopAndJoin()
        origin.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Collects a transfer's events (reactor thread) for the test thread.
    final class Recorder: DownloadSink, @unchecked Sendable {
        private let lock = NSLock()
        private var events: [DownloadEvent] = []
        func downloadEvent(_ event: DownloadEvent) { lock.lock(); events.append(event); lock.unlock() }
        func flushDownloadEvents() {}
        var all: [DownloadEvent] { lock.lock(); defer { lock.unlock() }; return events }
        var ended: Bool { all.contains { if case .finished = $0 { return true }; if case .failed = $0 { return true }; return false } }
        var body: [UInt8] { all.flatMap { if case .data(let d) = $0 { return d } else { return [] } } }
        var response: DownloadEvent? { all.first { if case .response = $0 { return true } else { return false } } }
        var last: DownloadEvent? { all.last }
    }

    private func fetch(_ path: String, from offset: Int = 0) -> Recorder {
        let r = Recorder()
        let url = origin.url(of: path)
        nonisolated(unsafe) var transfer: DownloadTransfer?
        reactor.post { reactor in transfer = reactor.downloads.start(url: url, rangeStart: offset, sink: r) }
        awaitCondition("transfer of \(path) ended", timeout: 20) { r.ended }
        _ = transfer
        return r
    }

    func testWholeImageDownloadsWithStatus200AndExactBytes() {
        let r = fetch("app-1.2.0.bin")
        XCTAssertEqual(r.response, .response(status: 200, contentLength: image.count, rangeStart: 0))
        XCTAssertEqual(r.body, image)
        XCTAssertEqual(r.last, .finished)
        XCTAssertEqual(origin.stats.fullResponses, 1)
    }

    func testRangeRequestResumesWith206AndContentRange() {
        let r = fetch("app-1.2.0.bin", from: 123_456)
        XCTAssertEqual(r.response, .response(status: 206, contentLength: image.count - 123_456, rangeStart: 123_456))
        XCTAssertEqual(r.body, Array(image[123_456...]))
        XCTAssertEqual(origin.stats.rangeResponses, 1)
    }

    func testRangePastTheEndIs416AndAMissingFileIs404() {
        XCTAssertEqual(fetch("app-1.2.0.bin", from: image.count + 10).last, .failed(.httpStatus(416)))
        XCTAssertEqual(fetch("nope.bin").last, .failed(.httpStatus(404)))
        XCTAssertEqual(fetch("../etc/passwd").last, .failed(.httpStatus(404)))
        XCTAssertEqual(origin.stats.notFound, 2)
    }

    func testADroppedTransferIsReportedAndAResumeFromTheReceivedOffsetCompletesTheImage() {
        origin.setFaults(OriginFaults(dropPercent: 100, seed: 11))
        let first = fetch("app-1.2.0.bin")
        XCTAssertEqual(first.last, .failed(.connectionLost))
        let got = first.body
        XCTAssertLessThan(got.count, image.count)
        XCTAssertEqual(got, Array(image.prefix(got.count)), "what arrived before the drop is intact")
        origin.setFaults(.none)
        let rest = fetch("app-1.2.0.bin", from: got.count)
        XCTAssertEqual(got + rest.body, image)
        XCTAssertEqual(origin.stats.dropped, 1)
    }

    func testCorruptionFlipsExactlyOneByteAndTruncationServesHalf() {
        origin.setFaults(OriginFaults(corruptPercent: 100, seed: 5))
        let bad = fetch("app-1.2.0.bin").body
        XCTAssertEqual(bad.count, image.count)
        XCTAssertEqual(zip(bad, image).filter { $0 != $1 }.count, 1)
        origin.setFaults(OriginFaults(truncatePercent: 100))
        let short = fetch("app-1.2.0.bin")
        XCTAssertEqual(short.last, .finished)
        XCTAssertEqual(short.body, Array(image.prefix(image.count / 2)))
        XCTAssertEqual(origin.stats.corrupted, 1)
        XCTAssertEqual(origin.stats.truncated, 1)
    }

    func testRateLimitPacesTheTransfer() {
        origin.setFaults(OriginFaults(rateLimitBytesPerSecond: 600_000))
        let started = Date()
        let r = fetch("app-1.2.0.bin")
        XCTAssertEqual(r.body, image)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.35, "300 KB at 600 KB/s takes about half a second")
    }

    func testManifestNamesTheImageAndIsNeverFaulted() throws {
        try origin.publishManifest(version: "1.2.0", file: "app-1.2.0.bin", notes: "canary")
        origin.setFaults(OriginFaults(corruptPercent: 100))
        let r = fetch("manifest.json")
        let json = try JSONReader().parse(r.body)
        XCTAssertEqual(json["version"]?.stringValue, "1.2.0")
        XCTAssertEqual(json["firmware_url"]?.stringValue, origin.url(of: "app-1.2.0.bin"))
    }
}
