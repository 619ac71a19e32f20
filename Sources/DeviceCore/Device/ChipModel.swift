/// The ESP32 family members a simulated device can be. `imageChipID` is the `chip_id` field
/// of `esp_image_header_t` (ESP-IDF `esp_chip_id_t`).
public enum ChipModel: Equatable, Sendable {
    case esp32, esp32s3, esp32c3, esp32c6

    public var imageChipID: UInt16 {
        switch self {
        case .esp32: return 0x0000
        case .esp32s3: return 0x0009
        case .esp32c3: return 0x0005
        case .esp32c6: return 0x000D
        }
    }

    /// Name as ESP-IDF and esptool print it, e.g. `ESP32-C6`.
    public var displayName: String {
        switch self {
        case .esp32: return "ESP32"
        case .esp32s3: return "ESP32-S3"
        case .esp32c3: return "ESP32-C3"
        case .esp32c6: return "ESP32-C6"
        }
    }

    /// Lower-case prefix used in device ids, e.g. `esp32c6`.
    public var idPrefix: String {
        switch self {
        case .esp32: return "esp32"
        case .esp32s3: return "esp32s3"
        case .esp32c3: return "esp32c3"
        case .esp32c6: return "esp32c6"
        }
    }

    public init?(name: String) {
        var lowered: [UInt8] = []
        for c in name.utf8 where c != UInt8(ascii: "-") && c != UInt8(ascii: "_") { lowered.append(asciiLower(c)) }
        switch String(decoding: lowered, as: UTF8.self) {
        case "esp32": self = .esp32
        case "esp32s3": self = .esp32s3
        case "esp32c3": self = .esp32c3
        case "esp32c6": self = .esp32c6
        default: return nil
        }
    }

    public init?(imageChipID: UInt16) {
        switch imageChipID {
        case 0x0000: self = .esp32
        case 0x0009: self = .esp32s3
        case 0x0005: self = .esp32c3
        case 0x000D: self = .esp32c6
        default: return nil
        }
    }
}
