/// `esp_ota_img_states_t`: the life of an OTA image as recorded in otadata.
public enum OTAImageState: Equatable, Sendable {
    case new, pendingVerify, valid, invalid, aborted, undefined
    /// A value ESP-IDF does not define; the bootloader treats it like UNDEFINED.
    case other(UInt32)

    public init(rawValue: UInt32) {
        switch rawValue {
        case 0: self = .new
        case 1: self = .pendingVerify
        case 2: self = .valid
        case 3: self = .invalid
        case 4: self = .aborted
        case 0xFFFF_FFFF: self = .undefined
        default: self = .other(rawValue)
        }
    }

    public var rawValue: UInt32 {
        switch self {
        case .new: return 0
        case .pendingVerify: return 1
        case .valid: return 2
        case .invalid: return 3
        case .aborted: return 4
        case .undefined: return 0xFFFF_FFFF
        case let .other(v): return v
        }
    }

    /// ESP-IDF's name (`PENDING_VERIFY`).
    public var name: String {
        switch self {
        case .new: return "NEW"
        case .pendingVerify: return "PENDING_VERIFY"
        case .valid: return "VALID"
        case .invalid: return "INVALID"
        case .aborted: return "ABORTED"
        case .undefined: return "UNDEFINED"
        case .other: return "UNKNOWN"
        }
    }
}

/// `esp_ota_select_entry_t`: 32 little-endian bytes at the start of each otadata sector.
public struct OTASelectEntry: Equatable, Sendable {
    public static let size = 32

    public var sequence: UInt32
    /// `seq_label[20]`, normally 0xFF; kept as read so rewrites preserve it like ESP-IDF does.
    public var sequenceLabel: [UInt8]
    public var state: OTAImageState
    public var crc: UInt32

    /// The erased label (20 × 0xFF): one buffer shared by every entry that has it, so the otadata a
    /// device keeps after booting costs no label arrays of its own.
    public static let erasedLabel = [UInt8](repeating: 0xFF, count: 20)

    public init(sequence: UInt32, sequenceLabel: [UInt8] = OTASelectEntry.erasedLabel, state: OTAImageState, crc: UInt32) {
        self.sequence = sequence
        self.sequenceLabel = sequenceLabel
        self.state = state
        self.crc = crc
    }

    /// An entry with its CRC computed, as ESP-IDF writes one.
    public static func sealed(sequence: UInt32, state: OTAImageState,
                              label: [UInt8] = OTASelectEntry.erasedLabel) -> OTASelectEntry {
        OTASelectEntry(sequence: sequence, sequenceLabel: label, state: state, crc: crc(for: sequence))
    }

    /// An all-0xFF (erased) entry.
    public static let erased = OTASelectEntry(sequence: 0xFFFF_FFFF, state: .undefined, crc: 0xFFFF_FFFF)

    /// Reads the first 32 bytes of `bytes` (any content is an entry; validity is a separate question).
    public static func parse<C: RandomAccessCollection>(_ bytes: C) -> OTASelectEntry where C.Element == UInt8, C.Index == Int {
        precondition(bytes.count >= size, "otadata entry needs 32 bytes")
        let b = bytes.startIndex
        return OTASelectEntry(sequence: bytes.le32(b), sequenceLabel: sharedIfErased(Array(bytes[(b + 4)..<(b + 24)])),
                              state: OTAImageState(rawValue: bytes.le32(b + 24)), crc: bytes.le32(b + 28))
    }

    /// `erasedLabel`'s buffer for an erased label (the parsed copy is dropped), else `label` itself.
    static func sharedIfErased(_ label: [UInt8]) -> [UInt8] { label == erasedLabel ? erasedLabel : label }

    /// The 32 bytes as stored.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        out.appendLE(sequence)
        out.append(contentsOf: sequenceLabel)
        out.appendLE(state.rawValue)
        out.appendLE(crc)
        return out
    }

    /// `bootloader_common_ota_select_crc`: `esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4)`.
    public static func crc(for sequence: UInt32) -> UInt32 {
        CRC32.le(0xFFFF_FFFF, [UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8),
                               UInt8(truncatingIfNeeded: sequence >> 16), UInt8(truncatingIfNeeded: sequence >> 24)])
    }

    public var crcMatches: Bool { crc == Self.crc(for: sequence) }

    /// `bootloader_common_ota_select_invalid`: erased sequence, or state INVALID / ABORTED (CRC not checked).
    public var isInvalid: Bool { sequence == 0xFFFF_FFFF || state == .invalid || state == .aborted }

    /// `bootloader_common_ota_select_valid`: not invalid and the CRC matches.
    public var isValid: Bool { !isInvalid && crcMatches }
}
