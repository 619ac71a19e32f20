import CMosquitto
import Foundation
import NIOConcurrencyHelpers
import Glibc

/// Why the embedded broker could not run.
public enum BrokerError: Error, Equatable, CustomStringConvertible {
    case notInstalled
    case configuration(String)
    case spawnFailed(Int32)
    case exited(status: Int32, log: String)
    case notListening(seconds: Double, log: String)

    public var description: String {
        switch self {
        case .notInstalled: return "mosquitto was not found on PATH (install the mosquitto package)"
        case .configuration(let m): return "cannot write the broker configuration: \(m)"
        case .spawnFailed(let e): return "cannot start mosquitto: \(String(cString: strerror(e)))"
        case .exited(let s, let log): return "mosquitto exited with status \(s): \(log)"
        case .notListening(let t, let log): return "mosquitto did not accept connections within \(t) s: \(log)"
        }
    }
}

/// A real `mosquitto` from PATH with a generated configuration: loopback listeners on free ports,
/// no persistence, unlimited connections, no anonymous clients, and an ACL keyed on the
/// authenticated user name: each account may use only its own topics (`device/<its user name>/#`
/// by default), and its client id is its user name (`use_username_as_clientid`), so a client cannot
/// claim another device by choosing its client id. The observer (reads every status topic, writes
/// commands) and the watcher (reads what the observer reads, for tools and tests) have random
/// passwords, new every run. It is stopped on `stop()`, on deinit, and by the kernel if the
/// simulator dies (parent-death signal).
public final class EmbeddedBroker: @unchecked Sendable {
    /// Ports the broker listens on (127.0.0.1).
    public private(set) var ports: [Int]
    public let observerUser = "simfleet-observer"
    /// Largest PUBLISH payload the broker forwards (`message_size_limit`, bytes): four times the
    /// largest message of the wire contract (a 4 KB OTA command; a status is under 1 KB). Larger
    /// publishes are dropped by the broker (a QoS 1 one still gets its PUBACK) and never queued.
    public static let messageSizeLimit = 16_384
    private let directory: String
    /// The running broker's process id, -1 when none (guarded by `lock`).
    private var pid: pid_t = -1
    private let lock = NIOLock()
    /// Spawns and watches the process (`BrokerKeeper`).
    private let keeper = BrokerKeeper()
    /// The broker should be up: an exit noticed now is unexpected and is followed by a restart.
    private var supervising = false
    /// Bumped by `stop()`, so a spawn racing it gives its child up.
    private var generation = 0
    private var exits = 0
    private var restartCount = 0
    /// One line for each unexpected exit and each restart that follows (simfleet prints them).
    public var onEvent: (@Sendable (String) -> Void)?
    /// The topic rules of the ACL file (`device/%u/#` and the observer's for the default layout).
    public let acl: BrokerACL
    /// The observer's password, random for every broker (never derived from anything visible).
    public let observerPassword: String? = EmbeddedBroker.randomSecret()
    /// A read-only account for the status and telemetry topics (tools, tests), with its own random password: an
    /// extra client as the observer would take the observer's session (client id = user name).
    public let watcherUser = "simfleet-watcher"
    public let watcherPassword = EmbeddedBroker.randomSecret()

    /// `listeners` ports (a large fleet spreads over several) and the devices' accounts (user name =
    /// device id); the observer's and the watcher's are added. `acl` follows the run's topic layout.
    public init(listeners: Int = 1, passwords: [(user: String, password: String)] = [],
                acl: BrokerACL = BrokerACL()) throws(BrokerError) {
        guard EmbeddedBroker.which("mosquitto") != nil else { throw .notInstalled }
        var template = Array("/tmp/simfleet-broker-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .configuration(String(cString: strerror(errno)))
        }
        directory = String(cString: dir)
        self.acl = acl
        ports = (0..<max(1, listeners)).map { _ in EmbeddedBroker.freePort() }
        // Written once and not kept: a fleet's accounts are a hundred bytes per device.
        try writePasswordFile(passwords)
        try writeConfiguration()
    }

    deinit {
        stop()
        keeper.finish()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public var isRunning: Bool {
        let p = processID
        return p > 0 && kill(p, 0) == 0
    }
    public var processID: pid_t { lock.withLock { pid } }
    /// Times the broker process ended while it should have been running (killed from outside,
    /// crashed), and restarts that followed (`backend.broker_exits`, `backend.broker_restarts`).
    public var unexpectedExits: Int { lock.withLock { exits } }
    public var restarts: Int { lock.withLock { restartCount } }
    public var url: String { "mqtt://127.0.0.1:\(ports[0])" }

    /// 128 random bits as hex, from the system's generator (getrandom).
    static func randomSecret() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(rng.next(), radix: 16) }.map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
    }

    /// Starts mosquitto and returns once every listener accepts connections. From then on it is
    /// watched: if the process ends while it should be running (SIGKILL from outside, a crash), it
    /// is started again on the same ports (up to 10 tries), and `onEvent` hears about it.
    public func start(timeoutSeconds: Double = 10) throws(BrokerError) {
        guard processID <= 0 else { return }
        var outcome = keeper.run { self.spawn(timeoutSeconds: timeoutSeconds) }
        // A port found free can be taken before mosquitto binds it (another process's outgoing
        // connection gets it as its ephemeral port): a first start picks new ports and tries again.
        for _ in 0..<3 {
            guard case .failure(.exited(_, let log)) = outcome, log.contains("Address already in use") else { break }
            ports = ports.map { _ in EmbeddedBroker.freePort() }
            try writeConfiguration()
            outcome = keeper.run { self.spawn(timeoutSeconds: timeoutSeconds) }
        }
        try outcome.get()
        lock.withLock { supervising = true }
        keeper.watch(pid: { [weak self] in self?.processID ?? -1 }, changed: { [weak self] in self?.checkProcess() })
    }

    /// Spawns mosquitto (on the keeper thread) and waits until every listener accepts.
    private func spawn(timeoutSeconds: Double) -> Result<Void, BrokerError> {
        let spawnGeneration = lock.withLock { generation }
        let log = open(directory + "/mosquitto.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        defer { if log >= 0 { close(log) } }
        let args = ["mosquitto", "-c", directory + "/mosquitto.conf"]
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        let child = simfleet_spawn_child("mosquitto", &cargs, log)
        guard child > 0 else { return .failure(.spawnFailed(errno)) }
        let adopted = lock.withLock { () -> Bool in
            guard generation == spawnGeneration else { return false }
            pid = child
            return true
        }
        var status: Int32 = 0
        guard adopted else {  // stopped meanwhile
            kill(child, SIGKILL)
            waitpid(child, &status, 0)
            return .failure(.exited(status: status, log: "stopped while starting"))
        }
        let deadline = HostClock.monotonicSeconds() + timeoutSeconds
        var pending = ports
        while !pending.isEmpty {
            let reaped = waitpid(child, &status, WNOHANG)
            if reaped == child || reaped < 0 {
                lock.withLock { if pid == child { pid = -1 } }
                return .failure(.exited(status: status, log: logTail()))
            }
            pending.removeAll { EmbeddedBroker.accepts(port: $0) }
            if pending.isEmpty { break }
            if HostClock.monotonicSeconds() > deadline {
                kill(child, SIGKILL)
                waitpid(child, &status, 0)
                lock.withLock { if pid == child { pid = -1 } }
                return .failure(.notListening(seconds: timeoutSeconds, log: logTail()))
            }
            usleep(10_000)
        }
        return .success(())
    }

    /// Keeper thread, every 100 ms: an exit while supervising is unexpected; restart on the same ports.
    private func checkProcess() {
        let exited: Int32? = lock.withLock {
            guard supervising, pid > 0 else { return nil }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            pid = -1
            exits += 1
            return status
        }
        guard let status = exited else { return }
        let how = (status & 0x7F) == 0 ? "status \((status >> 8) & 0xFF)" : "signal \(status & 0x7F)"
        onEvent?("simfleet: the embedded broker exited unexpectedly (\(how)); restarting it on the same ports")
        let started = HostClock.monotonicSeconds()
        var last = BrokerError.notInstalled
        for attempt in 1...10 {
            guard lock.withLock({ supervising }) else { return }
            switch spawn(timeoutSeconds: 10) {
            case .success:
                lock.withLock { restartCount += 1 }
                onEvent?("simfleet: the embedded broker is back after " + String(printf: "%.2f", HostClock.monotonicSeconds() - started) + " s")
                return
            case .failure(let error):
                last = error
                usleep(useconds_t(200_000 * attempt))
            }
        }
        onEvent?("simfleet: could not restart the embedded broker: \(last)")
    }

    /// Stops mosquitto (SIGTERM, then SIGKILL after 3 s) and reaps it. Not an unexpected exit:
    /// nothing restarts it until `start()`.
    public func stop() {
        let p: pid_t = lock.withLock {
            supervising = false
            generation += 1
            defer { pid = -1 }
            return pid
        }
        guard p > 0 else { return }
        kill(p, SIGTERM)
        let deadline = HostClock.monotonicSeconds() + 3
        var status: Int32 = 0
        while waitpid(p, &status, WNOHANG) == 0 {
            if HostClock.monotonicSeconds() > deadline {
                kill(p, SIGKILL)
                waitpid(p, &status, 0)
                break
            }
            usleep(5_000)
        }
    }

    /// Stops the broker, waits `downFor` seconds, and starts it again on the same ports.
    public func restart(downForSeconds: Double = 0) throws(BrokerError) {
        stop()
        if downForSeconds > 0 { usleep(useconds_t(downForSeconds * 1_000_000)) }
        try start()
    }

    /// The broker's log so far (last 2 KB), for error messages.
    public func logTail() -> String {
        guard let text = try? String(contentsOfFile: directory + "/mosquitto.log", encoding: .utf8) else { return "" }
        return String(text.suffix(2048))
    }

    private func writeConfiguration() throws(BrokerError) {
        var conf = """
            # generated by simfleet
            per_listener_settings false
            user \(EmbeddedBroker.currentUser)
            persistence false
            set_tcp_nodelay true
            max_queued_messages 100000
            message_size_limit \(EmbeddedBroker.messageSizeLimit)
            log_dest stderr
            log_type error
            log_type warning
            acl_file \(directory)/acl
            allow_anonymous false
            password_file \(directory)/passwd

            """
        // `use_username_as_clientid` and `max_connections` belong to a listener: before the first
        // `listener` line they would make mosquitto open its default one on port 1883 as well (and
        // fail when anything else has it, another simfleet broker or the machine's own mosquitto).
        for port in ports {
            conf += "listener \(port) 127.0.0.1\nmax_connections -1\nuse_username_as_clientid true\n"
        }
        let acl = self.acl.fileText(observer: observerUser, watcher: watcherUser)
        do {
            try conf.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
            try acl.write(toFile: directory + "/acl", atomically: true, encoding: .utf8)
        } catch {
            throw .configuration("\(error)")
        }
    }

    /// The devices', the observer's and the watcher's accounts, hashed by `mosquitto_passwd`.
    private func writePasswordFile(_ passwords: [(user: String, password: String)]) throws(BrokerError) {
        do {
            // Written into one buffer: a string per device, dropped after, would leave fleet-sized
            // holes in the heap the devices are allocated after.
            var text = ""
            text.reserveCapacity(passwords.reduce(0) { $0 + $1.user.utf8.count + $1.password.utf8.count + 2 } + 256)
            func line(_ user: String, _ password: String) {
                text += user
                text += ":"
                text += password
                text += "\n"
            }
            for account in passwords { line(account.user, account.password) }
            line(observerUser, observerPassword!)
            line(watcherUser, watcherPassword)
            let file = directory + "/passwd"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            try EmbeddedBroker.hashPasswordFile(file)
        } catch let error as BrokerError {
            throw error
        } catch {
            throw .configuration("\(error)")
        }
    }

    /// Runs `mosquitto_passwd -U` with the shim's spawn (as mosquitto itself; Foundation's `Process`
    /// would run Foundation code in every run), its messages to our stderr.
    private static func hashPasswordFile(_ file: String) throws(BrokerError) {
        let path = which("mosquitto_passwd") ?? "/usr/bin/mosquitto_passwd"
        let args: [String] = [path, "-U", file]
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        let child = simfleet_spawn_child(path, &cargs, 2)
        guard child > 0 else { throw .configuration("cannot run mosquitto_passwd: " + String(cString: strerror(errno))) }
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        if status != 0 { throw .configuration("mosquitto_passwd -U failed") }
    }

    /// mosquitto started as root drops to user `mosquitto` unless told otherwise; keep our own user
    /// so it can read the generated files.
    static var currentUser: String {
        guard let pw = getpwuid(getuid()), let name = pw.pointee.pw_name else { return "root" }
        return String(cString: name)
    }

    static func which(_ name: String) -> String? {
        for dir in (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/usr/sbin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    /// A loopback TCP port nothing listens on right now.
    static func freePort() -> Int {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// True when a TCP connect to 127.0.0.1:`port` succeeds.
    static func accepts(port: Int) -> Bool {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
