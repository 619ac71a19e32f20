/// A telemetry payload in compiled form: fixed text and value generators, rendered straight into
/// one byte buffer per message (no Strings, no JSON tree). The host compiles it from the user's
/// template text (`{"t":{gauss:21.5:0.3},"seq":{seq}}`); the device only renders it.
public struct TelemetryTemplate: Equatable, Sendable {
    public let parts: [TelemetryPart]
    /// `{pad:N}`: the payload is filled up to N bytes at the pad's position; nil: no padding.
    public let paddedLength: Int?
    /// Random walks in the template (each `{walk}` keeps its own position per device).
    public let walkCount: Int
    /// Bytes a rendered payload takes at most, without the padding (a buffer size, not a limit).
    let capacityHint: Int

    /// Parts in payload order. At most one `.pad`; walks are numbered 0, 1, ... in order of appearance.
    public init(parts: [TelemetryPart]) throws(TelemetryTemplateError) {
        var pad: Int? = nil
        var walks = 0
        var hint = 0
        for part in parts {
            switch part {
            case .pad(let total):
                guard pad == nil else { throw .severalPads }
                guard total >= 1 && total <= TelemetryTemplate.maxBytes else { throw .outOfRange("pad") }
                pad = total
            case .walk(let start, let step, let decimals, let slot):
                guard slot == walks else { throw .walkSlotsOutOfOrder }
                guard step >= 0, TelemetryTemplate.fits(start), step <= TelemetryTemplate.maxDeviation else { throw .outOfRange("walk") }
                guard (0...6).contains(decimals) else { throw .outOfRange("decimals") }
                walks += 1
            case .integer(let lower, let upper):
                guard lower <= upper else { throw .outOfRange("int") }
            case .uniform(let lower, let upper, let decimals):
                guard lower <= upper, TelemetryTemplate.fits(lower), TelemetryTemplate.fits(upper) else { throw .outOfRange("float") }
                guard (0...6).contains(decimals) else { throw .outOfRange("decimals") }
            case .gauss(let mean, let deviation, let decimals):
                guard deviation >= 0, TelemetryTemplate.fits(mean), deviation <= TelemetryTemplate.maxDeviation else {
                    throw .outOfRange("gauss")
                }
                guard (0...6).contains(decimals) else { throw .outOfRange("decimals") }
            case .choice(let options):
                guard !options.isEmpty else { throw .outOfRange("choice") }
            default:
                break
            }
            hint += part.widthHint
        }
        guard hint <= TelemetryTemplate.maxBytes else { throw .tooLong }
        self.parts = parts
        self.paddedLength = pad
        self.walkCount = walks
        self.capacityHint = hint
    }

    /// The largest payload a template may describe (MQTT allows more; a sensor task does not).
    public static let maxBytes = 65_536

    /// Fixed-point values (in units of their last decimal) stay within ±10¹⁵, and deviations and
    /// steps within 10¹², so every sum and product of the generators fits an `Int64`.
    public static let maxMagnitude: Int64 = 1_000_000_000_000_000
    public static let maxDeviation: Int64 = 1_000_000_000_000

    static func fits(_ value: Int64) -> Bool { value > -maxMagnitude && value < maxMagnitude }

    /// Whether the template uses `{seq}` (the observer can then tell which messages were lost).
    public var hasSequence: Bool { parts.contains(.seq) }
    /// Whether the template uses `{ts}` (the observer can then measure end-to-end latency).
    public var hasTimestamp: Bool { parts.contains(.timestamp) }
}

/// One piece of a telemetry payload.
public enum TelemetryPart: Equatable, Sendable {
    /// Fixed bytes, as written in the template.
    case text([UInt8])
    /// `{seq}`: this stream's message number, 1, 2, 3, ... (kept across reboots).
    case seq
    /// `{ts}`: publish time in milliseconds since the Unix epoch with three decimals, as the
    /// heartbeat's `ts`.
    case timestamp
    /// `{uptime}`: whole seconds since power-on.
    case uptime
    /// `{id}`: the device id.
    case deviceID
    /// `{int:LO:HI}`: a uniform whole number in LO...HI.
    case integer(lower: Int64, upper: Int64)
    /// `{float:LO:HI:D}`: a uniform number in LO...HI with D decimals. Numbers with decimals are
    /// fixed point, in units of their last decimal (`{float:20:25:2}` is 2000...2500): a sensor
    /// task on a chip without an FPU does no floating point.
    case uniform(lower: Int64, upper: Int64, decimals: Int)
    /// `{gauss:MEAN:SD:D}`: normally distributed, as a sum of twelve uniform draws (firmware without
    /// libm approximates it so), with D decimals; mean and deviation in units of the last decimal.
    case gauss(mean: Int64, deviation: Int64, decimals: Int)
    /// `{walk:START:STEP:D}`: a random walk from START, each sample moving by up to ±STEP (units of
    /// the last decimal); `slot` numbers the template's walks from 0.
    case walk(start: Int64, step: Int64, decimals: Int, slot: Int)
    /// `{choice:a|b|c}`: one of the options, uniformly.
    case choice([[UInt8]])
    /// `{pad:N}`: filler (`x`) so that the whole payload is N bytes; nothing when it already is.
    case pad(total: Int)

    /// Bytes this part usually takes (a buffer size hint).
    var widthHint: Int {
        switch self {
        case .text(let bytes): return bytes.count
        case .seq, .uptime, .integer: return 20
        case .timestamp: return 24
        case .deviceID: return 32
        case .uniform, .gauss, .walk: return 22
        case .choice(let options): return options.reduce(0) { max($0, $1.count) }
        case .pad: return 0
        }
    }
}

/// Why a compiled template was refused.
public enum TelemetryTemplateError: Error, Equatable, Sendable {
    case severalPads
    case walkSlotsOutOfOrder
    /// A generator's arguments are out of range (named by the generator).
    case outOfRange(String)
    /// The template describes more than `TelemetryTemplate.maxBytes`.
    case tooLong
}
