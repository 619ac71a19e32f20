import DeviceCore

extension SingleDeviceRunner {
    /// What the device is and where its access point goes.
    public struct Options: Sendable {
        /// Loopback address of the access point (portal and DNS).
        public var apAddress: IPv4Address
        /// Portal HTTP and DNS ports.
        public var httpPort: Int
        public var dnsPort: Int
        /// The WiFi networks around the device.
        public var radio: SimulatedRadio
        /// The embedded mosquitto or an external broker.
        public var broker: BrokerChoice
        /// Start without WiFi credentials (access point mode); otherwise join the radio's first network.
        public var unprovisioned: Bool
        /// Chip, firmware, seed (MAC, id, jitter) and heartbeat interval.
        public var chip: ChipModel
        public var firmwareVersion: String
        public var seed: UInt64
        public var heartbeatMs: Int64
        /// Portal settings beyond address and port (reboot delay, fallback attempts, files).
        public var provisioning: ProvisioningConfig

        /// An unprovisioned ESP32-C6 in the default neighbourhood, on the embedded broker.
        public init(apAddress: IPv4Address, httpPort: Int = 8080, dnsPort: Int = 5353,
                    radio: SimulatedRadio = .neighbourhood, broker: BrokerChoice = .embedded, unprovisioned: Bool = true,
                    chip: ChipModel = FleetDefaults.chip, firmwareVersion: String = FleetDefaults.firmwareVersion,
                    seed: UInt64 = FleetDefaults.seed, heartbeatMs: Int64 = FleetDefaults.heartbeat.milliseconds, provisioning: ProvisioningConfig = ProvisioningConfig()) {
            self.apAddress = apAddress
            self.httpPort = httpPort
            self.dnsPort = dnsPort
            self.radio = radio
            self.broker = broker
            self.unprovisioned = unprovisioned
            self.chip = chip
            self.firmwareVersion = firmwareVersion
            self.seed = seed
            self.heartbeatMs = heartbeatMs
            self.provisioning = provisioning
        }
    }
}
