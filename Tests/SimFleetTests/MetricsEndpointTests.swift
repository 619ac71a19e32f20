import Foundation
import CMosquitto
import Glibc
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import SimFleet

final class MetricsEndpointTests: XCTestCase {
    /// A real HTTP GET over a loopback socket (URLSession), as Prometheus would scrape.
    func get(_ url: String, method: String = "GET") throws -> (status: Int, body: String, type: String?) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 5
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, String, String?)?
        nonisolated(unsafe) var failure: Error?
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { failure = error }
            if let http = response as? HTTPURLResponse {
                result = (http.statusCode, String(decoding: data ?? Data(), as: UTF8.self),
                          http.value(forHTTPHeaderField: "Content-Type"))
            }
            done.signal()
        }.resume()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        if let failure { throw failure }
        return try XCTUnwrap(result)
    }

    func testMetricsEndpointServesLiveCountersOverHTTP() throws {
        let metrics = FleetMetrics()
        let server = try MetricsServer(port: 0) { metrics.exposition() }
        defer { server.stop() }
        var totals = FleetMetrics.Totals()
        totals.requested = 100
        totals.online = 97
        totals.sent = 500
        totals.received = 498
        totals.lost = 2
        totals.reconnects = 3
        totals.ota = ["succeeded": 9, "rolled_back": 1]
        totals.errors = ["connect_refused": 4]
        metrics.update(totals)
        metrics.recordE2ELatency(milliseconds: 1.5)
        metrics.recordConnectLatency(milliseconds: 30)

        let first = try get("http://127.0.0.1:" + String(server.port) + "/metrics")
        XCTAssertEqual(first.status, 200)
        XCTAssertTrue(first.type?.hasPrefix("text/plain; version=0.0.4") ?? false)
        for line in ["simfleet_devices_online 97.0", "simfleet_devices_requested 100.0", "simfleet_messages_sent_total 500",
                     "simfleet_messages_lost_total 2", "simfleet_reconnects_total 3",
                     #"simfleet_ota_outcomes_total{outcome="rolled_back"} 1"#,
                     #"simfleet_errors_total{kind="connect_refused"} 4"#,
                     #"simfleet_e2e_latency_seconds_bucket{le="0.002"} 1"#,
                     "simfleet_connect_latency_seconds_count 1"] {
            XCTAssertTrue(first.body.contains(line + "\n"), "missing: " + line + "\n" + first.body)
        }

        totals.sent = 800
        totals.online = 100
        metrics.update(totals)
        let second = try get("http://127.0.0.1:" + String(server.port) + "/metrics")
        XCTAssertTrue(second.body.contains("simfleet_messages_sent_total 800\n"), "counters follow the run's totals")
        XCTAssertTrue(second.body.contains("simfleet_devices_online 100.0\n"))
    }

    func testOtherPathsAndMethodsAreRefused() throws {
        let server = try MetricsServer(port: 0) { Array("x 1\n".utf8) }
        defer { server.stop() }
        XCTAssertEqual(try get("http://127.0.0.1:" + String(server.port) + "/").status, 404)
        XCTAssertEqual(try get("http://127.0.0.1:" + String(server.port) + "/metrics", method: "POST").status, 405)
    }

    func testOnlyLoopbackAddressesAreAccepted() {
        XCTAssertThrowsError(try MetricsServer(host: "0.0.0.0", port: 0) { [] }) { error in
            XCTAssertEqual(error as? MetricsServer.Failure, .notLoopback("0.0.0.0"))
        }
    }

    func testAClientThatSendsNothingDoesNotBlockTheNextScrape() throws {
        let server = try MetricsServer(port: 0) { Array("up 1\n".utf8) }
        defer { server.stop() }
        let idle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(idle) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(server.port).bigEndian)
        sin.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(idle, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        let started = Date()
        let response = try get("http://127.0.0.1:" + String(server.port) + "/metrics")
        XCTAssertEqual(response.body, "up 1\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 4, "an idle connection does not hold up other scrapes")
    }
}
