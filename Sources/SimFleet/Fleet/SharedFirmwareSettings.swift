import DeviceCore

/// Builds fleet devices' firmware configurations so that the devices of one group hold one copy of
/// what they share (timings, topics, OTA and portal settings, ~600 bytes) instead of one each.
/// One per thread that builds hosts; it keeps a few distinct groups' configurations.
final class SharedFirmwareSettings {
    private var kept: [DeviceConfig] = []
    /// More distinct groups than this (a fleet whose every device differs) are built unshared.
    private static let limit = 16

    /// `spec.firmwareConfig`, its shared part pointing at an equal one built before when there is one.
    func config(for spec: DeviceSpec) -> DeviceConfig {
        var config = spec.firmwareConfig
        for other in kept where config.shareSettings(with: other) { return config }
        if kept.count < Self.limit { kept.append(config) }
        return config
    }
}
