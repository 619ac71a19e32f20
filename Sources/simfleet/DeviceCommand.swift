import ArgumentParser
import DeviceCore
import Foundation
import SimFleet

/// `simfleet device`: one simulated device in the foreground, its captive portal reachable by real
/// clients on its own loopback address.
struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Run one simulated device in the foreground (captive portal and local API on a loopback address).",
        discussion: """
            With --unprovisioned the device opens its access point: the portal answers on \
            http://AP-ADDRESS:HTTP-PORT/ and every DNS A query to AP-ADDRESS:DNS-PORT gets AP-ADDRESS. \
            Try: curl http://127.20.0.5:8080/   dig @127.20.0.5 -p 5353 anything.example
            Once the device is a station (provisioned, or from the start without --unprovisioned) it serves \
            its local HTTP API on the same address and port and prints the URL: \
            curl http://127.20.0.5:8080/version   curl -X POST -d '{"url":"…/fw.bin"}' http://127.20.0.5:8080/update
            The radio environment (--networks) is a JSON array: \
            [{"ssid":"home","password":"hunter22","rssi":-52,"channel":6,"auth":"wpa2_psk"}]; \
            a network without password is open. Without --broker a local mosquitto is started.
            --provisioning idf_softap serves ESP-IDF's provisioning service (what esp_prov and Espressif's \
            apps speak) instead of the portal: esp_prov --transport softap --service_name 127.20.0.5:8080 \
            --sec_ver 1 --pop 12345678 --ssid simfleet --passphrase simfleet-wifi
            """
    )

    @Flag(help: "Start without WiFi credentials: open the access point and its captive portal.") var unprovisioned = false
    @Option(name: .customLong("ap-address"), help: "Loopback address of the access point (127.x.y.z).") var apAddress = "127.20.0.5"
    @Option(name: .customLong("http-port"), help: "Portal HTTP port.") var httpPort = 8080
    @Option(name: .customLong("dns-port"), help: "DNS (UDP) port.") var dnsPort = 5353
    @Option(help: "JSON file with the simulated WiFi networks around the device.") var networks: String?
    @Option(help: "Broker URL mqtt://host:port (default: embedded mosquitto).") var broker: String?
    @Option(help: "Chip: esp32, esp32s3, esp32c3, esp32c6.") var chip = FleetDefaults.chip.idPrefix
    @Option(help: "Seed for the device's MAC, id and jitter.") var seed: UInt64 = FleetDefaults.seed
    @Option(name: .customLong("reboot-delay-ms"), help: "Delay between the portal's success page and the reboot.") var rebootDelayMs: Int64 = 3000
    @Option(help: "Provisioning: captive_portal, idf_softap (ESP-IDF's protocomm service, what esp_prov speaks) or both.")
    var provisioning: String?
    @Option(help: "Preset of provisioning settings: reference (idf_softap, security 1, PoP 12345678, service iot-ctrlr).")
    var preset: String?
    @Option(help: "Protocomm security level of idf_softap: 0, 1 or 2.") var sec: Int?
    @Option(help: "Security 1 proof of possession.") var pop: String?
    @Option(help: "Security 2 (SRP6a) username.") var username: String?
    @Option(help: "Security 2 (SRP6a) password.") var password: String?
    @Option(help: "Security 2 salt (hex), with --verifier, instead of a password.") var salt: String?
    @Option(help: "Security 2 verifier (hex), with --salt.") var verifier: String?
    @Option(name: .customLong("service-name"), help: "idf_softap service name: the access point's SSID.") var serviceName: String?
    @Flag(name: .customLong("no-auto-stop"), help: "Keep the provisioning service up after success (needed for esp_prov --reprov).")
    var noAutoStop = false
    @Option(name: .customLong("custom-endpoint"), help: "An extra idf_softap endpoint that answers SUCCESS (repeatable; esp_prov --custom_data uses custom-data).")
    var customEndpoints: [String] = []

    func validate() throws {
        guard let address = Self.ipv4(apAddress), address.octets.0 == 127 else {
            throw ValidationError("--ap-address must be a loopback IPv4 address (127.x.y.z), got '\(apAddress)'")
        }
        guard (1...65535).contains(httpPort), (1...65535).contains(dnsPort) else { throw ValidationError("ports are 1...65535") }
        guard ChipModel(name: chip) != nil else { throw ValidationError("unknown chip '\(chip)'") }
        if let broker, BrokerChoice.parse(broker) == nil { throw ValidationError("--broker wants mqtt://host:port, got '\(broker)'") }
        _ = try provisioningConfig()
    }

    /// The device's provisioning settings from the flags (`--provisioning`, `--sec`, `--pop`, ...).
    func provisioningConfig() throws -> ProvisioningConfig {
        var base = ProvisioningConfig()
        base.rebootDelay = .milliseconds(rebootDelayMs)
        let settings = ProvisioningSettings(preset: preset, scheme: provisioning, security: sec, pop: pop, username: username,
                                            password: password, salt: salt, verifier: verifier, serviceName: serviceName,
                                            autoStop: noAutoStop ? false : nil,
                                            customEndpoints: customEndpoints.isEmpty ? nil : customEndpoints)
        do {
            return try settings.apply(to: base)
        } catch {
            let flag = ["scheme": "provisioning", "security": "sec", "service_name": "service-name",
                        "custom_endpoints": "custom-endpoint"][error.key] ?? error.key
            throw ValidationError("--" + flag + " " + error.message)
        }
    }

    func run() throws {
        var radio = SimulatedRadio.neighbourhood
        if let networks {
            guard let data = FileManager.default.contents(atPath: networks) else { throw ValidationError("cannot read \(networks)") }
            radio = try SimulatedRadio.parse(Array(data))
        }
        let provisioning = try provisioningConfig()
        let options = SingleDeviceRunner.Options(
            apAddress: Self.ipv4(apAddress)!, httpPort: httpPort, dnsPort: dnsPort, radio: radio,
            broker: broker.flatMap { BrokerChoice.parse($0) } ?? .embedded, unprovisioned: unprovisioned,
            chip: ChipModel(name: chip)!, seed: seed, provisioning: provisioning)
        let runner = SingleDeviceRunner(options: options) { line in
            StandardStream.output.write(Self.timestamp() + " " + line + "\n")
        }
        try runner.start()
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { stop.signal() }
            s.resume()
            sources.append(s)
        }
        stop.wait()
        runner.stop()
        for s in sources { s.cancel() }
    }

    static func ipv4(_ text: String) -> IPv4Address? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard parts.count == 4 else { return nil }
        return IPv4Address(parts[0], parts[1], parts[2], parts[3])
    }

    static func timestamp() -> String {
        UTCTimestamp.timeOfDayMillis(unixSeconds: Date().timeIntervalSince1970)
    }
}
