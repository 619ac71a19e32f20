/// What the device keeps in flash (its NVS partition): it survives reboots and power cycles,
/// unlike everything else in `Device`, which `.powerOn` resets.
public struct DeviceNVS: Equatable, Sendable {
    /// The station network to join; nil means unprovisioned (the device opens its access point).
    public var wifiCredentials: WiFiCredentials?
    /// The credentials came from the captive portal and have not joined their network yet; while
    /// set, repeated join failures send the device back to the portal.
    public var wifiCredentialsUnconfirmed: Bool = false
    /// Power-ons since the flash was written, including the current one.
    public var bootCount: Int
    /// Why the chip started this time (ESP-IDF's `esp_reset_reason()`), nil before the first boot.
    public var lastResetReason: ResetReason?

    public init(wifiCredentials: WiFiCredentials?, bootCount: Int = 0, lastResetReason: ResetReason? = nil) {
        self.wifiCredentials = wifiCredentials
        self.bootCount = bootCount
        self.lastResetReason = lastResetReason
    }
}
