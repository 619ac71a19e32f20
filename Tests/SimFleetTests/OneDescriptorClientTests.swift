import CMosquitto
import Foundation
import XCTest
@testable import SimFleet

final class OneDescriptorClientTests: XCTestCase {
    private func openDescriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1 }

    func testClientsAreCreatedWithoutTheThreadedSocketPair() {
        _ = MosquittoClient.libraryReady
        let refusedBefore = simfleet_refused_socketpairs()
        let before = openDescriptors()
        var handles: [OpaquePointer] = []
        for i in 0..<50 { if let h = simfleet_mosquitto_new_without_socketpair("probe-\(i)", true, nil) { handles.append(h) } }
        XCTAssertEqual(handles.count, 50)
        XCTAssertEqual(openDescriptors(), before, "an unconnected client holds no descriptor")
        XCTAssertEqual(simfleet_refused_socketpairs() - refusedBefore, 50)
        for h in handles { mosquitto_destroy(h) }
    }

    func testSocketpairStillWorksForEveryoneElse() {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        XCTAssertGreaterThanOrEqual(fds[0], 0)
        close(fds[0]); close(fds[1])
    }
}
