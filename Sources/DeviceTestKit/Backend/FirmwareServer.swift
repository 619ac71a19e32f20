import DeviceCore

/// The firmware origin of a simulated world: files by path, served over the world's links as a
/// device's download sees HTTP (`.response` with status, length and range start, `.data` chunks
/// paced by `bytesPerSecond`, `.finished` or `.failed`), with Range requests and faults (corrupt,
/// truncate, drop, slow, an error status, a stall). Faults are aimed by client and path and drawn
/// from the world's seed, so a run knows exactly whose download was spoiled.
public final class FirmwareServer {
    /// A way to spoil a response.
    public enum Fault: Equatable, Sendable {
        /// Flip one byte of the body (at this file offset, or one drawn from the seed).
        case corrupt(at: Int?)
        /// End the body cleanly at `fraction` of the file.
        case truncate(fraction: Double)
        /// Close the connection at `fraction` of the file.
        case drop(fraction: Double)
        /// Send at most this many bytes per second.
        case slow(bytesPerSecond: Int)
        /// Answer with this status and no body (404, 500, 503...).
        case status(Int)
        /// Stop sending at `fraction` of the file and never finish (the device's stall timer ends it).
        case stall(fraction: Double)
    }

    /// A fault and whom it hits.
    public struct FaultRule: Equatable, Sendable {
        public var fault: Fault
        /// Only requests for this path; nil for every path but the manifest.
        public var path: String?
        /// Only these clients' requests; nil for everyone.
        public var clients: Set<String>?
        /// Once per client and path (a retry gets a good response).
        public var once: Bool
        /// The share (0...1) of matching requests it hits, drawn per client, path and attempt from
        /// the seed (so one client's draws do not depend on the others' requests).
        public var share: Double

        public init(_ fault: Fault, path: String? = nil, clients: Set<String>?, once: Bool = true, share: Double = 1) {
            self.fault = fault
            self.path = path
            self.clients = clients
            self.once = once
            self.share = share
        }

        public init(_ fault: Fault, path: String? = nil, client: String? = nil, once: Bool = true, share: Double = 1) {
            self.init(fault, path: path, clients: client.map { [$0] }, once: once, share: share)
        }
    }

    /// What the origin did, for tests and reports.
    public struct Stats: Equatable, Sendable {
        public var requests = 0
        public var fullResponses = 0
        public var rangeResponses = 0
        public var notFound = 0
        public var rangeNotSatisfiable = 0
        public var bytesServed = 0
        public var corrupted = 0
        public var truncated = 0
        public var dropped = 0
    }

    /// One response, as a log line of the origin.
    public struct Response: Equatable, Sendable {
        public var client: String
        public var path: String
        public var rangeStart: Int
        public var status: Int
        public var fault: Fault?
    }

    public let simulation: Simulation
    public let network: Network
    /// The origin's endpoint name on `network`.
    public let endpoint: String
    /// URL prefix of every file (`http://origin.test/`).
    public let baseURL: String
    /// Default send rate of a response.
    public var bytesPerSecond = FirmwareServer.defaultBytesPerSecond
    public static let defaultBytesPerSecond = 4 * 1024 * 1024
    /// Bytes per `.data` event.
    public var chunkSize = 16 * 1024
    public var faults: [FaultRule] = []
    public private(set) var stats = Stats()
    /// Every response, in order.
    public private(set) var responses: [Response] = []

    private var files: [String: [UInt8]] = [:]
    private var spoiled: Set<String> = []
    private var attempts: [String: Int] = [:]
    private var transfers: [Int: Transfer] = [:]
    private var nextTransfer = 0
    private let salt: UInt64

    private struct Transfer {
        let client: String
        let body: [UInt8]
        var offset: Int
        /// Where the body ends for this response (a drop or stall ends it early).
        let stop: Int
        let endsWith: Ending
        let rate: Int
        let sink: (DownloadEvent) -> Void
    }

    private enum Ending { case finish, drop, stall }

    public init(simulation: Simulation, network: Network, endpoint: String = "origin", baseURL: String = "http://origin.test/") {
        self.simulation = simulation
        self.network = network
        self.endpoint = endpoint
        self.baseURL = baseURL
        var random = simulation.random("origin")
        self.salt = random.next()
    }

    // MARK: - Files

    /// Serves `bytes` at `path` (`fw-1.1.0.bin`).
    public func put(_ path: String, _ bytes: [UInt8]) { files[path] = bytes }

    public func remove(_ path: String) { files[path] = nil }

    public func file(_ path: String) -> [UInt8]? { files[path] }

    /// The URL devices fetch `path` from.
    public func url(of path: String) -> String { baseURL + path }

    /// Points `manifest.json` at `file` as release `version` (the reference backend's format).
    public func publishManifest(version: String, file: String, released: String = "2025-11-29T06:00:00Z", notes: String = "") {
        put("manifest.json", Manifest(version: version, firmwareURL: url(of: file), released: released, notes: notes).bytes)
    }

    // MARK: - Requests

    /// A GET of `url` from `rangeStart` by `client`; `sink` gets the download events over the
    /// world's links. Returns a handle for `cancel`.
    @discardableResult
    public func get(_ url: String, rangeStart: Int = 0, client: String, sink: @escaping (DownloadEvent) -> Void) -> Int {
        nextTransfer += 1
        let id = nextTransfer
        guard network.canReach(client, endpoint) else {
            simulation.schedule(after: .seconds(3), client + ": download unreachable") { sink(.failed(.unreachable)) }
            return id
        }
        network.send(from: client, to: endpoint, client + " GET " + path(of: url)) { [weak self] in
            self?.respond(id, path: self?.path(of: url) ?? "", rangeStart: rangeStart, client: client, sink: sink)
        }
        return id
    }

    /// The client gave up on a transfer (nothing more arrives).
    public func cancel(_ id: Int) { transfers[id] = nil }

    private func path(of url: String) -> String {
        var rest = Substring(url)
        if rest.hasPrefix(baseURL) {
            rest = rest.dropFirst(baseURL.count)
        } else if let scheme = rest.firstRange(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.drop { $0 != "/" }.dropFirst()
        }
        return String(rest.prefix { $0 != "?" })
    }

    private func respond(_ id: Int, path: String, rangeStart: Int, client: String, sink: @escaping (DownloadEvent) -> Void) {
        stats.requests += 1
        // The first rule aimed at this request decides; a spent once-only rule means a clean
        // response (it does not hand the request on to the next rule).
        let attempt = attempts[client + " " + path, default: 0]
        attempts[client + " " + path] = attempt + 1
        var rule = path == "manifest.json" ? nil : faults.indices.first { i in
            let r = faults[i]
            guard (r.path == nil || r.path == path) && (r.clients?.contains(client) ?? true) else { return false }
            guard r.share < 1 else { return true }
            let draw = spoilHash(client, path + " " + String(i) + " " + String(attempt)) % 1_000_000
            return Double(draw) < r.share * 1_000_000
        }
        if let r = rule, faults[r].once, spoiled.contains(client + " " + path) { rule = nil }
        var fault = rule.map { faults[$0].fault }
        if case .status(let code)? = fault {
            record(client, path, rangeStart, code, fault, once: rule)
            reply(to: client, .response(status: code, contentLength: 0, rangeStart: 0), then: .failed(.httpStatus(code)), sink)
            return
        }
        guard let file = files[path] else {
            stats.notFound += 1
            record(client, path, rangeStart, 404, nil, once: nil)
            reply(to: client, .response(status: 404, contentLength: 0, rangeStart: 0), then: .failed(.httpStatus(404)), sink)
            return
        }
        if rangeStart > 0 && rangeStart >= file.count {
            stats.rangeNotSatisfiable += 1
            record(client, path, rangeStart, 416, nil, once: nil)
            reply(to: client, .response(status: 416, contentLength: 0, rangeStart: 0), then: .failed(.httpStatus(416)), sink)
            return
        }
        let start = max(0, rangeStart)
        var body = Array(file[start...])
        var stop = body.count
        var ending = Ending.finish
        var rate = bytesPerSecond
        switch fault {
        case .corrupt(let at)?:
            // Drawn per client and path, not from a shared stream: the same device's download is
            // spoiled at the same byte however many others download before it.
            let offset = (at ?? (start + Int(spoilHash(client, path) % UInt64(max(1, body.count))))) - start
            if offset >= 0 && offset < body.count {
                body[offset] ^= 0xFF
                stats.corrupted += 1
            } else {
                fault = nil
            }
        case .truncate(let fraction)?:
            let keep = Int(Double(file.count) * fraction) - start
            if keep < body.count {
                body = Array(body.prefix(max(0, keep)))
                stop = body.count
                stats.truncated += 1
            } else {
                fault = nil
            }
        case .drop(let fraction)?:
            let after = Int(Double(file.count) * fraction) - start
            if after > 0 && after < body.count {
                stop = after
                ending = .drop
                stats.dropped += 1
            } else {
                fault = nil
            }
        case .stall(let fraction)?:
            stop = max(0, min(body.count, Int(Double(file.count) * fraction) - start))
            ending = .stall
        case .slow(let bytesPerSecond)?:
            rate = max(1, bytesPerSecond)
        case .status?, nil:
            break
        }
        if start > 0 { stats.rangeResponses += 1 } else { stats.fullResponses += 1 }
        let status = start > 0 ? 206 : 200
        record(client, path, start, status, fault, once: fault == nil ? nil : rule)
        transfers[id] = Transfer(client: client, body: body, offset: 0, stop: stop, endsWith: ending, rate: rate, sink: sink)
        network.send(from: endpoint, to: client) { [weak self] in
            guard let self, self.transfers[id] != nil else { return }
            sink(.response(status: status, contentLength: body.count, rangeStart: start))
            self.sendNext(id)
        }
    }

    private func spoilHash(_ client: String, _ path: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
        for b in client.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        for b in path.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    private func record(_ client: String, _ path: String, _ start: Int, _ status: Int, _ fault: Fault?, once rule: Int?) {
        responses.append(Response(client: client, path: path, rangeStart: start, status: status, fault: fault))
        if let rule, faults[rule].once { spoiled.insert(client + " " + path) }
    }

    private func reply(to client: String, _ first: DownloadEvent, then last: DownloadEvent, _ sink: @escaping (DownloadEvent) -> Void) {
        network.send(from: endpoint, to: client) {
            sink(first)
            sink(last)
        }
    }

    private func sendNext(_ id: Int) {
        guard var t = transfers[id] else { return }
        guard network.canReach(endpoint, t.client) else {
            transfers[id] = nil
            t.sink(.failed(.connectionLost))
            return
        }
        if t.offset >= t.stop {
            switch t.endsWith {
            case .finish:
                transfers[id] = nil
                t.sink(.finished)
            case .drop:
                transfers[id] = nil
                t.sink(.failed(.connectionLost))
            case .stall:
                break  // the connection stays open and silent
            }
            return
        }
        let end = min(t.stop, t.offset + chunkSize)
        let chunk = Array(t.body[t.offset..<end])
        t.offset = end
        transfers[id] = t
        stats.bytesServed += chunk.count
        let pace = TimeSpan(microseconds: Int64(chunk.count) * 1_000_000 / Int64(t.rate))
        let sink = t.sink
        simulation.schedule(after: pace) { [weak self] in
            guard let self, self.transfers[id] != nil else { return }
            sink(.data(chunk))
            self.sendNext(id)
        }
    }
}

/// The reference backend's manifest: `{"version","firmware_url","released","notes"}`.
public struct Manifest: Equatable, Sendable {
    public var version: String
    public var firmwareURL: String
    public var released: String
    public var notes: String

    public init(version: String, firmwareURL: String, released: String = "2025-11-29T06:00:00Z", notes: String = "") {
        self.version = version
        self.firmwareURL = firmwareURL
        self.released = released
        self.notes = notes
    }

    /// The JSON bytes the origin serves as `manifest.json`.
    public var bytes: [UInt8] {
        JSONValue.object([
            JSONMember("version", .string(version)), JSONMember("firmware_url", .string(firmwareURL)),
            JSONMember("released", .string(released)), JSONMember("notes", .string(notes)),
        ]).encodedBytes()
    }
}
