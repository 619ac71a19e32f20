import DeviceCore
import NIOCore
import NIOPosix

/// How a fleet exposes the access points of its unprovisioned devices: device `i` gets the `i`-th
/// address of a 127.x.0.0/16 block for its portal HTTP server and DNS responder, on the same ports
/// for every device, so `curl http://127.20.0.1:8080/` reaches the first device's portal.
public struct AccessPointExposure: Sendable {
    /// Second octet of the 127.x.0.0/16 block.
    public var block: UInt8
    /// Ports every device's portal uses on its own address.
    public var httpPort: Int
    public var dnsPort: Int
    /// The networks every device sees and joins.
    public var radio: SimulatedRadio
    /// Portal settings beyond address and port.
    public var provisioning: ProvisioningConfig
    /// Devices whose provisioning differs from `provisioning` (fleet groups with `provisioning:`).
    public var provisioningByDevices: [(devices: Range<Int>, provisioning: ProvisioningConfig)] = []
    /// The block came from the seed, not from the scenario or `--ap-pool`: a run may move it off a
    /// block another process serves (`onAFreeBlock`, docs/captive-portal.md).
    public var blockFromSeed = false
    /// Sockets that could not be opened (address or port taken), one line each; nil drops them.
    public var log: (@Sendable (String) -> Void)?

    /// Devices on `pool`'s block, portal on 8080, DNS on 5353, the default neighbourhood.
    public init(pool: LoopbackAddressPool = LoopbackAddressPool(block: FleetDefaults.addressBlock), httpPort: Int = 8080, dnsPort: Int = 5353,
                radio: SimulatedRadio = .neighbourhood, provisioning: ProvisioningConfig = ProvisioningConfig(),
                log: (@Sendable (String) -> Void)? = nil) {
        self.block = pool.block
        self.httpPort = httpPort
        self.dnsPort = dnsPort
        self.radio = radio
        self.provisioning = provisioning
        self.log = log
    }

    /// The address of device `index` (the pool's order), nil past the block's end.
    public func address(forDevice index: Int) -> IPv4Address? {
        var pool = LoopbackAddressPool(block: block)
        return pool.address(at: index)
    }

    /// The provisioning settings of device `index`.
    public func provisioning(forDevice index: Int) -> ProvisioningConfig {
        provisioningByDevices.first { $0.devices.contains(index) }?.provisioning ?? provisioning
    }

    /// For an unprovisioned device: points its portal at its own address and returns the shell that
    /// will open its sockets. Provisioned devices (and devices past the pool) get nil.
    func shell(for spec: inout DeviceSpec, reactor: Reactor) -> AccessPointShell? {
        guard !spec.provisioned, let address = address(forDevice: spec.index) else { return nil }
        var provisioning = self.provisioning(forDevice: spec.index)
        provisioning.address = address
        provisioning.httpPort = httpPort
        spec.provisioning = provisioning
        let sockets = PortalHost.Configuration(address: address, httpPort: httpPort, dnsPort: dnsPort,
                                               maxBodyBytes: provisioning.serverBodyLimit)
        let id = spec.id
        let log = self.log
        return AccessPointShell.onReactor(reactor, sockets: sockets, radio: radio, group: MultiThreadedEventLoopGroup.singleton,
                                          log: { line, failure in if failure { log?(id + ": " + line) } })
    }
}

extension AccessPointShell {
    /// A shell whose socket callbacks run on `reactor`'s thread.
    static func onReactor(_ reactor: Reactor, sockets: PortalHost.Configuration, radio: SimulatedRadio,
                          group: EventLoopGroup, log: @escaping @Sendable (String, _ failure: Bool) -> Void) -> AccessPointShell {
        let box = WeakShell()
        let shell = AccessPointShell(sockets: sockets, radio: radio, group: group, post: { body in
            reactor.post { _ in if let shell = box.shell { body(shell) } }
        }, log: log)
        box.shell = shell
        return shell
    }
}

/// A late-bound, non-owning reference from a shell's callbacks back to the shell.
private final class WeakShell: @unchecked Sendable {
    weak var shell: AccessPointShell?
}
