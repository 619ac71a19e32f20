import DeviceCore
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// One simulated device in the foreground (`simfleet device`): its own reactor, its access point
/// on a loopback address with the captive portal and DNS, its local HTTP API on the same address
/// once it is a station, a simulated radio environment, and a real broker (embedded mosquitto
/// unless one is given). Every state change is reported as a line.
public final class SingleDeviceRunner: @unchecked Sendable {
    /// What the runner was started with.
    public let options: Options
    /// The device id derived from the seed's MAC, e.g. `esp32c6-025cc1`.
    public let deviceID: String
    private var spec: DeviceSpec
    private let log: @Sendable (String) -> Void
    private let reactor = Reactor(index: 0)
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var shell: AccessPointShell?
    private var host: DeviceHost?
    /// The embedded broker, when one was started.
    public private(set) var broker: EmbeddedBroker?
    private let snapshot = NIOLockedValueBox<(state: ReportedState, online: Bool)>((.off, false))

    /// A runner that reports one line per state change and device log line to `log`.
    public init(options: Options, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.log = log
        var random = SeededRandom(seed: options.seed)
        let r = random.next()
        let mac: [UInt8] = [0x40, 0x4C, 0xCA, UInt8(truncatingIfNeeded: r >> 16), UInt8(truncatingIfNeeded: r >> 8),
                            UInt8(truncatingIfNeeded: r)]
        deviceID = DeviceConfig(baseMAC: mac, chip: options.chip).deviceID
        var provisioning = options.provisioning
        provisioning.address = options.apAddress
        provisioning.httpPort = options.httpPort
        var spec = DeviceSpec(index: 0, id: deviceID, mac: mac, chip: options.chip, firmwareVersion: options.firmwareVersion,
                              heartbeatMs: options.heartbeatMs, qos: 1, provisioned: false, username: nil, password: nil,
                              seed: options.seed)
        spec.provisioning = provisioning
        self.spec = spec
    }

    /// The device's last reported state.
    public var state: ReportedState { snapshot.withLockedValue { $0.state } }
    /// Whether the device's MQTT session is up.
    public var isOnline: Bool { snapshot.withLockedValue { $0.online } }
    /// The portal's sockets while the access point is up.
    public var portal: PortalHost? { shell?.host }

    /// Starts the broker (embedded unless given), the reactor and the device; returns at once.
    public func start() throws {
        let endpoint: BrokerEndpoint
        switch options.broker {
        case .embedded:
            // The embedded broker admits accounts only: this device's, with a password of this run.
            let password = EmbeddedBroker.randomSecret()
            spec.username = deviceID
            spec.password = password
            let b = try EmbeddedBroker(passwords: [(deviceID, password)])
            try b.start()
            broker = b
            endpoint = BrokerEndpoint(host: "127.0.0.1", port: b.ports[0])
        case .external(let h, let port, let tls):
            endpoint = BrokerEndpoint(host: h, port: port, tls: tls)
        }
        log(deviceID + ": broker " + endpoint.host + ":" + String(endpoint.port))
        let shell = AccessPointShell.onReactor(
            reactor,
            sockets: PortalHost.Configuration(address: options.apAddress, httpPort: options.httpPort, dnsPort: options.dnsPort,
                                              maxBodyBytes: options.provisioning.serverBodyLimit),
            radio: options.radio, group: group, log: { [log, deviceID] line, _ in log(deviceID + ": " + line) })
        self.shell = shell
        reactor.start()
        reactor.post { [self] reactor in
            var spec = self.spec
            // A provisioned device holds the fleet's WiFi credentials (`simfleet`/`simfleet-wifi`,
            // the first network of the default neighbourhood).
            spec.provisioned = !options.unprovisioned
            let host = DeviceHost(spec: spec, endpoint: endpoint, powerOnAt: HostClock.now(), reactor: reactor)
            host.provide(shell)
            // Its own web server in station mode, on the same address and port as the portal was:
            // `curl http://ADDRESS:PORT/version`, `POST /update`, as a backend would call it.
            let web = DeviceHTTPShell(address: options.apAddress, port: options.httpPort, reactor: reactor)
            web.onChange = { [log, deviceID] line in log(deviceID + ": " + line) }
            host.provide(web)
            // Flash, eFuses and bootloader, factory-flashed with a generated image of its version:
            // `POST /update` and OTA commands install for real.
            if let factory = try? FirmwareCatalog(chip: spec.chip, payloadBytes: 64 * 1024).image(spec.firmwareVersion) {
                host.chip = DeviceChip(chip: spec.chip, factoryImage: factory)
            }
            host.observer = { [self] device, actions in self.observe(device, actions) }
            self.host = host
            host.attach()
        }
    }

    private func observe(_ device: FleetDevice, _ actions: [Action]) {
        let state = device.reportedState
        let online = device.isMQTTConnected
        let previous = snapshot.withLockedValue { s -> (ReportedState, Bool) in
            defer { s = (state, online) }
            return (s.state, s.online)
        }
        for case .log(let level, let text) in actions where level != .debug {
            log(logEscaped(deviceID + ": " + level.letter + " " + text))
        }
        if previous.0 != state || previous.1 != online {
            log(deviceID + ": state " + state.name + (online ? " (mqtt up)" : ""))
        }
    }

    /// Stops the device, its sockets, the reactor and an embedded broker.
    public func stop() {
        reactor.post { [self] _ in host?.shutdown() }
        reactor.stopAndJoin()
        shell?.finish()
        shell?.waitUntilFinished(seconds: 5)
        try? group.syncShutdownGracefully()
        broker?.stop()
    }
}
