import Foundation
import Glibc
import XCTest
@testable import SimFleet

/// A real `mosquitto` started by a test as an *external* broker: its own configuration (anonymous
/// by default, no ACL unless given), a free loopback port, stopped on `stop()` and on deinit.
final class TestBroker: @unchecked Sendable {
    let port: Int
    let directory: String
    private var process: Process?

    /// `extra` lines go after the listener line (TLS, ACL, password file…).
    init(extra: [String] = [], anonymous: Bool = true) throws {
        directory = NSTemporaryDirectory() + "simfleet-test-broker-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = EmbeddedBroker.freePort()
        var conf = ["user \(EmbeddedBroker.currentUser)", "persistence false", "per_listener_settings false",
                    "allow_anonymous \(anonymous)", "max_queued_messages 100000", "listener \(port) 127.0.0.1"]
        conf += extra
        try (conf.joined(separator: "\n") + "\n").write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var url: String { "mqtt://127.0.0.1:\(port)" }
    var processID: pid_t { process?.processIdentifier ?? 0 }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: EmbeddedBroker.which("mosquitto")!)
        p.arguments = ["-c", directory + "/mosquitto.conf"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        process = p
        awaitCondition("test broker listening on \(port)", timeout: 10) { EmbeddedBroker.accepts(port: port) }
    }

    func stop() {
        guard let p = process else { return }
        if p.isRunning {
            kill(p.processIdentifier, SIGCONT)
            p.terminate()
        }
        p.waitUntilExit()
        process = nil
    }
}

/// A CA, server and client certificates made at test time with the openssl CLI.
final class TestPKI: @unchecked Sendable {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "simfleet-pki-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/certs", withIntermediateDirectories: true)
        try makeCA("ca")
        try openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
        try "subjectAltName=DNS:localhost\n".write(toFile: directory + "/san.ext", atomically: true, encoding: .utf8)
        try openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                    "-days", "2", "-extfile", "san.ext")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func path(_ name: String) -> String { directory + "/" + name }

    /// A self-signed CA `name.pem` / `name.key` with the extensions a CA needs for CRLs.
    func makeCA(_ name: String) throws {
        try openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "2",
                    "-subj", "/CN=simfleet test CA " + name, "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                    "-addext", "basicConstraints=critical,CA:TRUE")
    }

    /// `certs/<cn>.pem` and `certs/<cn>.key`, signed by `ca`.
    func client(_ cn: String, ca: String = "ca") throws {
        try openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "certs/\(cn).key", "-out", "certs/\(cn).csr", "-subj", "/CN=\(cn)")
        try openssl("x509", "-req", "-in", "certs/\(cn).csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                    "-out", "certs/\(cn).pem", "-days", "2")
    }

    /// Revokes `certs/<cn>.pem` and writes `crl.pem` (the CA's whole revocation list).
    func revoke(_ cn: String) throws {
        let db = directory + "/ca-db"
        try FileManager.default.createDirectory(atPath: db, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: db + "/index.txt") {
            try "".write(toFile: db + "/index.txt", atomically: true, encoding: .utf8)
            try "1000\n".write(toFile: db + "/crlnumber", atomically: true, encoding: .utf8)
            let conf = """
                [ ca ]
                default_ca = test
                [ test ]
                database = \(db)/index.txt
                crlnumber = \(db)/crlnumber
                default_md = sha256
                default_crl_days = 2
                """
            try conf.write(toFile: db + "/ca.cnf", atomically: true, encoding: .utf8)
        }
        try openssl("ca", "-config", db + "/ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-revoke", "certs/\(cn).pem")
        try openssl("ca", "-config", db + "/ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-gencrl", "-out", "crl.pem")
    }

    private func openssl(_ args: String...) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "openssl \(args.joined(separator: " "))")
    }
}
