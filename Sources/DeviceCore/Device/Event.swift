/// Everything that can happen to a device, delivered by the host with the current time.
/// Sub-machines (MQTT session, OTA updater, WiFi, captive portal) each see the events they own.
public enum Event: Sendable {
    /// Power came up (or the chip restarted) for `reason`. `boot` is what the bootloader decided.
    case powerOn(ResetReason, boot: BootInfo)
    /// The deadline the device asked for (`Device.nextDeadline`) has passed.
    case tick
    case wifi(WiFiEvent)
    case mqtt(MQTTEvent)
    /// A request to the device's own web server; answer with `.httpRespond(id, ...)`.
    case httpRequest(id: UInt32, HTTPRequest)
    /// A UDP datagram to the device's DNS responder (AP mode); answer with `.dnsRespond(id, ...)`.
    case dnsQuery(id: UInt32, [UInt8])
    case download(DownloadEvent)
}

/// What the bootloader booted, handed to the app at power-on.
public struct BootInfo: Equatable, Sendable {
    /// Index of the OTA slot running (0 = ota_0), nil for a factory app.
    public var slot: Int?
    /// Firmware version of the running image (the release name the backend knows).
    public var firmwareVersion: String
    /// The running image is in PENDING_VERIFY and must be confirmed or it rolls back.
    public var pendingVerify: Bool
    /// The bootloader fell back from another slot on this boot (a rollback happened).
    public var rolledBackFrom: String?
    /// What the OTA updater needs from the boot (otadata as left by the bootloader, eFuses, the
    /// running image's secure version, why a rollback happened). nil when the host models no flash:
    /// the device then assumes a freshly flashed chip (`OTABootState(assuming:)`).
    public var ota: OTABootState?

    public init(slot: Int?, firmwareVersion: String, pendingVerify: Bool = false, rolledBackFrom: String? = nil,
                ota: OTABootState? = nil) {
        self.slot = slot
        self.firmwareVersion = firmwareVersion
        self.pendingVerify = pendingVerify
        self.rolledBackFrom = rolledBackFrom
        self.ota = ota
    }
}

public enum WiFiEvent: Sendable, Equatable {
    /// Station associated and got an address.
    case connected(ip: IPv4Address, rssi: Int)
    case connectFailed(WiFiFailure)
    case disconnected(WiFiFailure)
    case scanDone([ScannedNetwork])
}

/// ESP-IDF style reasons a station connection failed or dropped.
public enum WiFiFailure: Equatable, Sendable {
    case noAPFound, authFailed, beaconTimeout, connectionLost
}

public enum MQTTEvent: Sendable, Equatable {
    /// CONNACK accepted.
    case connected
    /// TCP connect failed or CONNACK refused; `code` is the MQTT return code (5 = not authorised).
    case connectFailed(code: Int)
    case disconnected
    case message(topic: String, payload: [UInt8])
    /// The broker acknowledged a QoS 1 publish the device made with this id.
    case published(messageID: Int)
    /// The broker refused a subscription (SUBACK 0x80).
    case subscribeRefused(topic: String)
}

public enum DownloadEvent: Sendable, Equatable {
    /// Response headers: status, total length when known, and the offset the body starts at.
    case response(status: Int, contentLength: Int?, rangeStart: Int)
    case data([UInt8])
    case finished
    case failed(DownloadFailure)
}

public enum DownloadFailure: Equatable, Sendable {
    case connectionLost, timedOut, httpStatus(Int), unreachable
}

/// An IPv4 address as four octets.
public struct IPv4Address: Equatable, Hashable, Sendable {
    public var octets: (UInt8, UInt8, UInt8, UInt8)

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) { octets = (a, b, c, d) }

    public static func == (l: IPv4Address, r: IPv4Address) -> Bool {
        l.octets.0 == r.octets.0 && l.octets.1 == r.octets.1 && l.octets.2 == r.octets.2 && l.octets.3 == r.octets.3
    }

    public func hash(into h: inout Hasher) {
        h.combine(octets.0); h.combine(octets.1); h.combine(octets.2); h.combine(octets.3)
    }

    /// Dotted-quad text.
    public var text: String {
        decimal(Int64(octets.0)) + "." + decimal(Int64(octets.1)) + "." + decimal(Int64(octets.2)) + "."
            + decimal(Int64(octets.3))
    }

    /// The ESP32 SoftAP default address.
    public static let softAPDefault = IPv4Address(192, 168, 4, 1)
}

/// A network seen by a scan.
public struct ScannedNetwork: Equatable, Sendable {
    public var ssid: String
    public var bssid: [UInt8]
    public var rssi: Int
    public var channel: Int
    public var auth: WiFiAuthMode

    public init(ssid: String, bssid: [UInt8], rssi: Int, channel: Int, auth: WiFiAuthMode) {
        self.ssid = ssid
        self.bssid = bssid
        self.rssi = rssi
        self.channel = channel
        self.auth = auth
    }
}

/// `wifi_auth_mode_t` names.
public enum WiFiAuthMode: Equatable, Sendable {
    case open, wep, wpaPSK, wpa2PSK, wpaWpa2PSK, wpa3PSK, wpa2Enterprise

    public var name: String {
        switch self {
        case .open: return "open"
        case .wep: return "wep"
        case .wpaPSK: return "wpa_psk"
        case .wpa2PSK: return "wpa2_psk"
        case .wpaWpa2PSK: return "wpa_wpa2_psk"
        case .wpa3PSK: return "wpa3_psk"
        case .wpa2Enterprise: return "wpa2_enterprise"
        }
    }

    public init?(name: String) {
        switch name {
        case "open": self = .open
        case "wep": self = .wep
        case "wpa_psk", "wpa": self = .wpaPSK
        case "wpa2_psk", "wpa2": self = .wpa2PSK
        case "wpa_wpa2_psk": self = .wpaWpa2PSK
        case "wpa3_psk", "wpa3": self = .wpa3PSK
        case "wpa2_enterprise": self = .wpa2Enterprise
        default: return nil
        }
    }
}
