import DeviceCore

/// How a fleet exposes its provisioned devices' own web servers (`--device-http`, scenario
/// `device_http: {port: 8080}`): device `i` serves `GET /version`, `POST /update`, `POST /restart`,
/// ... on the `i`-th address of a 127.x.0.0/16 block — the pool access-point mode uses — so a backend
/// that calls its devices (`POST http://DEVICE/update`) can be load-tested at fleet scale.
/// Each device holds one listening socket while its station is up (a descriptor of the budget).
public struct DeviceHTTPExposure: Sendable, Equatable {
    /// Second octet of the 127.x.0.0/16 block.
    public var block: UInt8
    /// Port every device listens on, on its own address.
    public var port: Int

    /// Devices on `pool`'s block, listening on `port`.
    public init(pool: LoopbackAddressPool = LoopbackAddressPool(block: FleetDefaults.addressBlock), port: Int = FleetDefaults.deviceHTTPPort) {
        self.block = pool.block
        self.port = port
    }

    /// The address of device `index` (fleet order, 0-based), nil past the block's end.
    public func address(forDevice index: Int) -> IPv4Address? {
        LoopbackAddressPool(block: block).address(at: index)
    }

    /// `http://127.20.0.1:8080` for device 0; nil past the block's end.
    public func url(forDevice index: Int) -> String? {
        address(forDevice: index).map { "http://" + $0.text + ":" + String(port) }
    }

    /// How to find a device's address, for the report and `--help`.
    public var addressPattern: String {
        "127." + String(block) + ".(i / 254).(i % 254 + 1):" + String(port) + " for the i-th device (0-based, fleet order); "
            + "`simfleet run … --print-addresses` lists them"
    }

    /// The shell of device `spec` (nil past the block's end), on `reactor`'s thread.
    func shell(for spec: DeviceSpec, reactor: Reactor) -> DeviceHTTPShell? {
        guard let address = address(forDevice: spec.index) else { return nil }
        return DeviceHTTPShell(address: address, port: port, reactor: reactor)
    }
}
