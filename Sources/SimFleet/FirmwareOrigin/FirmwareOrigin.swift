import DeviceCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Why the firmware origin could not start.
public enum OriginError: Error, Equatable, CustomStringConvertible {
    case notADirectory(String)
    case bindFailed(String)

    public var description: String {
        switch self {
        case .notADirectory(let d): return "firmware directory \(d) does not exist"
        case .bindFailed(let m): return "cannot listen on loopback: \(m)"
        }
    }
}

/// The embedded firmware server: HTTP/1.1 on a free loopback port serving a directory (firmware
/// images and `manifest.json`) with Range support (206 + Content-Range, 416), and injectable
/// faults (`OriginFaults`) that scenarios switch on and off during a run. SwiftNIO, one thread,
/// started by the first connection (`OriginListener`).
public final class FirmwareOrigin: @unchecked Sendable {
    public let directory: String
    public private(set) var port = 0
    private var listener: OriginListener?
    /// Set by the listener's thread when the first connection arrives; read after `stop` joined it.
    private var group: MultiThreadedEventLoopGroup?
    private var channel: Channel?
    private let state: NIOLockedValueBox<OriginState>
    private var stopped = false

    public init(directory: String, faults: OriginFaults = .none) throws(OriginError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw .notADirectory(directory)
        }
        self.directory = directory
        state = NIOLockedValueBox(OriginState(faults: faults))
    }

    deinit { stop() }

    /// Listens on 127.0.0.1 (a free port unless `port` is given); serves from the first connection.
    public func start(port requested: Int = 0) throws(OriginError) {
        let l = try OriginListener(port: requested)
        port = l.port
        listener = l
        l.onFirstConnection { [self] descriptor in serve(on: descriptor) }
    }

    /// Whether the event loop runs (a connection has arrived).
    public var isServing: Bool { state.withLockedValue { $0.serving } }

    /// Starts SwiftNIO on the bound socket (on the listener's thread, once). If NIO cannot take the
    /// socket, it is closed and clients see their connections refused.
    private func serve(on descriptor: Int32) {
        let g = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        group = g
        // Before the bind: NIO answers the first connection before `wait()` below returns.
        state.withLockedValue { $0.serving = true }
        let bootstrap = ServerBootstrap(group: g)
            .childChannelInitializer { [self] channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(OriginHandler(origin: self))
                }
            }
        do {
            channel = try bootstrap.withBoundSocket(descriptor).wait()
        } catch {
            state.withLockedValue { $0.serving = false }
            close(descriptor)
        }
    }

    /// Closes the listener and shuts the event loop down (once; call it from outside the loop). Not
    /// left to `deinit`: open connections keep the origin alive and would release it on the loop.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        listener?.stop()
        try? channel?.close().wait()
        channel = nil
        try? group?.syncShutdownGracefully()
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The URL of a file in the directory.
    public func url(of file: String) -> String { baseURL + "/" + file }

    /// Replaces the injected faults (takes effect for the next request).
    public func setFaults(_ faults: OriginFaults) { state.withLockedValue { $0.setFaults(faults) } }

    public var faults: OriginFaults { state.withLockedValue { $0.faults } }
    public var stats: OriginStats { state.withLockedValue { $0.stats } }

    /// Writes `manifest.json` in the reference backend's format naming `file` as the firmware.
    public func publishManifest(version: String, file: String, notes: String = "") throws {
        let json = JSONValue.object([
            JSONMember("version", .string(version)), JSONMember("firmware_url", .string(url(of: file))),
            JSONMember("released", .string(UTCTimestamp.iso8601(unixSeconds: Date().timeIntervalSince1970))), JSONMember("notes", .string(notes)),
        ])
        try Data(json.encodedBytes()).write(to: URL(fileURLWithPath: directory + "/manifest.json"), options: .atomic)
    }

    // MARK: - Serving (event-loop thread)

    /// The file for a request path, nil when outside the directory or missing. The bytes are the
    /// cache's: every response reads slices of the same storage, nothing is copied per request.
    func file(for path: String) -> ByteBuffer? {
        let decoded = path.removingPercentEncoding ?? path
        let parts = decoded.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else { return nil }
        let full = directory + "/" + parts.joined(separator: "/")
        return state.withLockedValue { $0.cachedFile(full) }
    }

    func record(_ body: (inout OriginStats) -> Void) { state.withLockedValue { body(&$0.stats) } }
    func chooseFault(path: String, device: String?, rangeStart: Int, fileSize: Int, bodyLength: Int) -> (ResponseFault, Int?) {
        state.withLockedValue { state in
            if let aimed = state.targetedFault(path: path, device: device, rangeStart: rangeStart, fileSize: fileSize,
                                               bodyLength: bodyLength) {
                return aimed
            }
            return (state.chooseFault(bodyLength: bodyLength), state.faults.rateLimitBytesPerSecond)
        }
    }
}

/// Shared, lock-protected origin state: faults, their generator, counters and a file cache.
struct OriginState {
    private(set) var faults: OriginFaults
    private var random: SeededRandom
    var stats = OriginStats()
    /// "device file" pairs a once-per-download targeted fault has already spoiled.
    private var spoiled: Set<String> = []
    private var cache: [String: (mtime: Date, bytes: ByteBuffer)] = [:]
    var serving = false

    init(faults: OriginFaults) {
        self.faults = faults
        random = SeededRandom(seed: faults.seed)
    }

    mutating func setFaults(_ f: OriginFaults) {
        if f.seed != faults.seed { random = SeededRandom(seed: f.seed) }
        faults = f
    }

    mutating func chooseFault(bodyLength: Int) -> ResponseFault {
        func roll(_ percent: Double) -> Bool {
            percent > 0 && Double(random.next(upTo: 9_999)) < percent * 100
        }
        guard bodyLength > 1 else { return .none }
        if roll(faults.corruptPercent) { return .corrupt(offset: Int(random.next(upTo: UInt64(bodyLength - 1)))) }
        if roll(faults.truncatePercent) { return .truncate(keep: bodyLength / 2) }
        if roll(faults.dropPercent) { return .drop(afterBytes: Int(random.next(upTo: UInt64(bodyLength - 1)))) }
        return .none
    }

    /// The first targeted fault that applies to this request, with its rate; nil when none does.
    mutating func targetedFault(path: String, device: String?, rangeStart: Int, fileSize: Int,
                                bodyLength: Int) -> (ResponseFault, Int?)? {
        guard bodyLength > 1, let fault = faults.targeted.first(where: { $0.applies(device: device, path: path) }),
              let device else { return nil }
        let key = device + " " + path
        switch fault.kind {
        case .corrupt:
            guard spoiled.insert(key).inserted else { return (.none, nil) }
            return (.corrupt(offset: Int(random.next(upTo: UInt64(bodyLength - 1)))), nil)
        case .truncate(let fraction):
            let keep = Int(Double(fileSize) * fraction) - rangeStart
            return keep < bodyLength ? (.truncate(keep: max(0, keep)), nil) : (.none, nil)
        case .drop(let fraction):
            let after = Int(Double(fileSize) * fraction) - rangeStart
            guard after > 0, after < bodyLength, spoiled.insert(key).inserted else { return (.none, nil) }
            return (.drop(afterBytes: after), nil)
        case .stall(let fraction):
            let after = Int(Double(fileSize) * fraction) - rangeStart
            guard after > 0, after < bodyLength, spoiled.insert(key).inserted else { return (.none, nil) }
            return (.stall(afterBytes: after), nil)
        case .slow(let rate):
            return (.none, rate)
        }
    }

    mutating func cachedFile(_ path: String) -> ByteBuffer? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
              attrs[.type] as? FileAttributeType == .typeRegular,
              let mtime = attrs[.modificationDate] as? Date else { return nil }
        if let hit = cache[path], hit.mtime == mtime { return hit.bytes }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = ByteBuffer(bytes: data)
        cache[path] = (mtime, bytes)
        return bytes
    }
}
