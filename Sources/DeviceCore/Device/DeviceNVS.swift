/// What the device keeps in flash (its NVS partition): it survives reboots and power cycles,
/// unlike everything else in `Device`, which `.powerOn` resets.
public struct DeviceNVS: Equatable, Sendable {
    // The one-byte fields last, together: interleaved with the others each took eight bytes, in
    // every device (DeviceNVS lives in `Device`, 72 bytes instead of 88).
    /// The station network to join; nil means unprovisioned (the device opens its access point).
    public var wifiCredentials: WiFiCredentials?
    /// Power-ons since the flash was written, including the current one.
    public var bootCount: Int
    /// The release name each OTA slot's image was installed under (`FirmwareVersionSource.release`),
    /// written when an update is committed; slots never updated have none.
    public var installedReleases: [SlotRelease] = []
    /// The release the bootloader last rolled back from: the manifest poll does not install it again
    /// (as ESP-IDF's advanced_https_ota example refuses the last invalid partition's version).
    public var rolledBackRelease: String?
    /// The credentials came from the captive portal and have not joined their network yet; while
    /// set, repeated join failures send the device back to the portal.
    public var wifiCredentialsUnconfirmed: Bool = false
    /// Why the chip started this time (ESP-IDF's `esp_reset_reason()`), nil before the first boot.
    public var lastResetReason: ResetReason?
    /// An update was committed to ota_0, where the factory image was flashed: the factory release
    /// name no longer applies to it.
    public var factoryImageReplaced = false

    public init(wifiCredentials: WiFiCredentials?, bootCount: Int = 0, lastResetReason: ResetReason? = nil) {
        self.wifiCredentials = wifiCredentials
        self.bootCount = bootCount
        self.lastResetReason = lastResetReason
    }

    /// The release name `slot` was installed under, nil when it has none. The factory image in
    /// ota_0 answers to `factoryRelease` (the version the device was built with) until an update
    /// replaces it.
    public func release(ofSlot slot: Int?, factoryRelease: String) -> String? {
        guard let slot else { return nil }
        for entry in installedReleases where entry.slot == slot { return entry.name }
        return slot == 0 && !factoryImageReplaced ? factoryRelease : nil
    }

    /// Records (or with nil forgets) the release name of the image just committed to `slot`.
    mutating func setRelease(_ name: String?, slot: Int) {
        if slot == 0 { factoryImageReplaced = true }
        installedReleases.removeAll { $0.slot == slot }
        if let name { installedReleases.append(SlotRelease(slot: slot, name: name)) }
    }
}
