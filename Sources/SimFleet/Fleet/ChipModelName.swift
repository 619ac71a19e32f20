import DeviceCore

/// Chip names on the command line and in scenarios (`esp32c6`, `ESP32-C6`).
public enum ChipModelName {
    public static func parse(_ name: String) -> ChipModel? { ChipModel(name: name) }
}
