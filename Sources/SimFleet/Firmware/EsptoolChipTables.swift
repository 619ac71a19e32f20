import DeviceCore

/// esptool 5.6.0's per-chip tables that `image-info` prints from (`targets/esp32*.py`): memory map
/// for segment memory types and the flash frequency names. ESP32 and ESP32-C6 only.
enum EsptoolChipTables {
    /// Memory types covering `address`, in esptool's map order (`get_memory_type`).
    static func memoryTypes(_ address: UInt32, chip: ChipModel?) -> [String] {
        memoryMap(chip).filter { $0.start <= address && address < $0.end }.map(\.name)
    }

    /// Flash frequency name for the low nibble of header byte 3 (first match, as esptool's lookup).
    static func flashFrequency(_ code: UInt8, chip: ChipModel?) -> String? {
        let table: [(String, UInt8)]
        switch chip {
        case .esp32: table = [("80m", 0xF), ("40m", 0x0), ("26m", 0x1), ("20m", 0x2)]
        case .esp32c6: table = [("80m", 0x0), ("40m", 0x0), ("20m", 0x2)]
        default: return nil
        }
        return table.first { $0.1 == code }?.0
    }

    private static func memoryMap(_ chip: ChipModel?) -> [(start: UInt32, end: UInt32, name: String)] {
        switch chip {
        case .esp32:
            return [(0x0000_0000, 0x0001_0000, "PADDING"), (0x3F40_0000, 0x3F80_0000, "DROM"),
                    (0x3F80_0000, 0x3FC0_0000, "EXTRAM_DATA"), (0x3FF8_0000, 0x3FF8_2000, "RTC_DRAM"),
                    (0x3FF9_0000, 0x4000_0000, "BYTE_ACCESSIBLE"), (0x3FFA_E000, 0x4000_0000, "DRAM"),
                    (0x3FFE_0000, 0x3FFF_FFFC, "DIRAM_DRAM"), (0x4000_0000, 0x4007_0000, "IROM"),
                    (0x4007_0000, 0x4007_8000, "CACHE_PRO"), (0x4007_8000, 0x4008_0000, "CACHE_APP"),
                    (0x4008_0000, 0x400A_0000, "IRAM"), (0x400A_0000, 0x400B_FFFC, "DIRAM_IRAM"),
                    (0x400C_0000, 0x400C_2000, "RTC_IRAM"), (0x400D_0000, 0x4040_0000, "IROM"),
                    (0x5000_0000, 0x5000_2000, "RTC_DATA")]
        case .esp32c6:
            return [(0x0000_0000, 0x0001_0000, "PADDING"), (0x4200_0000, 0x4300_0000, "DROM"),
                    (0x4080_0000, 0x4088_0000, "DRAM"), (0x4080_0000, 0x4088_0000, "BYTE_ACCESSIBLE"),
                    (0x4004_AC00, 0x4005_0000, "DROM_MASK"), (0x4000_0000, 0x4004_AC00, "IROM_MASK"),
                    (0x4200_0000, 0x4300_0000, "IROM"), (0x4080_0000, 0x4088_0000, "IRAM"),
                    (0x5000_0000, 0x5000_4000, "RTC_IRAM"), (0x5000_0000, 0x5000_4000, "RTC_DRAM"),
                    (0x600F_E000, 0x6010_0000, "MEM_INTERNAL2")]
        default:
            return []
        }
    }
}
