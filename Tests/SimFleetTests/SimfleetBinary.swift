import Foundation
import XCTest

/// The `simfleet` executable built next to the test bundle, run with captured output.
enum Simfleet {
    struct Run {
        var status: Int32
        var output: String
        func report() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any]
        }
    }

    /// The `simfleet` built with the tests (the sanitized one under scripts/test-sanitized).
    static var executable: URL {
        // On Linux the bundle URL is the products directory; on macOS it is the .xctest inside it.
        let bundle = Bundle(for: InspectImageTests.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("simfleet") }
        return candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) ?? candidates[0]
    }

    static func run(_ arguments: [String]) throws -> Run {
        let binary = executable
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            XCTFail("simfleet not built next to the tests (swift build --build-tests builds it)")
            throw CocoaError(.fileNoSuchFile)
        }
        let child = try ChildProcess.run(binary, arguments)
        return Run(status: child.status, output: child.output)
    }

    /// A small heartbeat fleet (3 devices, 1 s heartbeats, 4 s) started in the background, its
    /// output discarded, for tests that look at the running process from outside.
    static func startSmallFleet() throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run", "--devices", "3", "--heartbeat", "1s", "--duration", "4s"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// `simfleet inspect ARGUMENTS`.
enum Inspect {
    static func run(_ arguments: [String]) throws -> Simfleet.Run { try Simfleet.run(["inspect"] + arguments) }
}
