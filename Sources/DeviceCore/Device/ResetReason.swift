/// Why the chip last started, in ESP-IDF's `esp_reset_reason_t` vocabulary.
public enum ResetReason: Equatable, Sendable {
    case powerOn, external, software, panic, interruptWatchdog, taskWatchdog, otherWatchdog
    case deepSleep, brownout, sdio, unknown

    /// The `ESP_RST_*` suffix in lower case as devices report it (`poweron`, `sw`, `panic`, ...).
    public var name: String {
        switch self {
        case .powerOn: return "poweron"
        case .external: return "ext"
        case .software: return "sw"
        case .panic: return "panic"
        case .interruptWatchdog: return "int_wdt"
        case .taskWatchdog: return "task_wdt"
        case .otherWatchdog: return "wdt"
        case .deepSleep: return "deepsleep"
        case .brownout: return "brownout"
        case .sdio: return "sdio"
        case .unknown: return "unknown"
        }
    }

    public init?(name: String) {
        switch name {
        case "poweron", "power_on", "power-on": self = .powerOn
        case "ext", "external": self = .external
        case "sw", "software": self = .software
        case "panic": self = .panic
        case "int_wdt": self = .interruptWatchdog
        case "task_wdt": self = .taskWatchdog
        case "wdt": self = .otherWatchdog
        case "deepsleep", "deep_sleep": self = .deepSleep
        case "brownout": self = .brownout
        case "sdio": self = .sdio
        case "unknown": self = .unknown
        default: return nil
        }
    }
}
