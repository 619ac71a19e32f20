import Foundation
import DeviceCore
import Yams

/// Typed reading of one scenario value: each accessor checks type and range and names the key
/// and its position when the value is wrong.
struct ScalarReader {
    let node: Node
    let key: String
    let context: String
    let file: String

    var position: SourcePosition { YAMLMapping.position(of: node, file: file) }

    func fail(_ message: String) -> ScenarioError {
        ScenarioError("'" + key + "' in " + context + " " + message, at: position, key: key)
    }

    /// The scalar text; lists and mappings are a type error.
    func text() throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node else {
            throw fail("must be a single value, found " + YAMLMapping.describe(node))
        }
        return scalar.string
    }

    func string() throws(ScenarioError) -> String {
        let value = try text()
        guard !value.isEmpty else { throw fail("must not be empty") }
        return value
    }

    func int(in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let value = try text()
        guard let number = Int(value.filter { $0 != "_" }) else {
            throw fail("must be a whole number, found '" + value + "'")
        }
        guard range.contains(number) else {
            throw fail("must be between " + String(range.lowerBound) + " and " + String(range.upperBound)
                       + ", found " + String(number))
        }
        return number
    }

    func bool() throws(ScenarioError) -> Bool {
        let value = try text()
        switch value {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail("must be true or false, found '" + value + "'")
        }
    }

    /// A span of time in `Units.duration`'s syntax: `500ms`, `10s`, `5m`, `1h`, `1m30s`, `60`.
    /// A duration within `range` (one of `FleetLimits`').
    func duration(within range: ClosedRange<TimeSpan>) throws(ScenarioError) -> TimeSpan {
        try duration(min: range.lowerBound, max: range.upperBound)
    }

    func duration(min: TimeSpan = .zero, max: TimeSpan = .seconds(7 * 24 * 3600)) throws(ScenarioError) -> TimeSpan {
        let value = try text()
        let span: TimeSpan
        do { span = try Units.duration(value) } catch {
            throw fail("must be a duration like 500ms, 10s, 5m or 1h, found '" + value + "': " + error.reason)
        }
        guard span >= min, span <= max else {
            throw fail("must be between " + Units.format(min) + " and " + Units.format(max)
                       + ", found " + value)
        }
        return span
    }

    /// A percentage `0%`…`100%`, returned as a fraction 0…1.
    func percent() throws(ScenarioError) -> Double {
        let value = try text()
        guard let fraction = Units.percent(value) else {
            throw fail("must be a percentage like 10% or 2.5%, found '" + value + "'")
        }
        guard fraction >= 0, fraction <= 1 else { throw fail("must be between 0% and 100%, found " + value) }
        return fraction
    }

    /// A byte size: `512`, `64KB`, `1.5MB` (powers of 1024).
    func bytes(in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let value = try text()
        guard let size = Units.bytes(value) else {
            throw fail("must be a size like 4096, 64KB or 1MB, found '" + value + "'")
        }
        guard range.contains(size) else {
            throw fail("must be between " + String(range.lowerBound) + " and " + String(range.upperBound)
                       + " bytes, found " + value)
        }
        return size
    }

    /// A rate per second: `100/s`, `1000/s` (0.001…1,000,000 devices per second: slower would
    /// schedule power-ons past any run), `50KB/s` when `bytes` is true (at least 1 byte per second).
    func rate(bytes: Bool = false) throws(ScenarioError) -> Double {
        let value = try text()
        let example = bytes ? "50KB/s" : "100/s"
        guard value.hasSuffix("/s") else { throw fail("must be a rate like " + example + ", found '" + value + "'") }
        let amount = String(value.dropLast(2))
        let parsed: Double? = bytes ? Units.bytes(amount).map(Double.init) : Double(amount)
        guard let rate = parsed, rate > 0, rate.isFinite else {
            throw fail("must be a positive rate like " + example + ", found '" + value + "'")
        }
        let range: ClosedRange<Double> = bytes ? 1...1e12 : FleetLimits.rampPerSecond
        guard range.contains(rate) else {
            throw fail("must be between " + (bytes ? "1B/s and 1000GB/s" : "0.001/s and 1000000/s") + ", found '" + value + "'")
        }
        return rate
    }

    /// One of a fixed set of words.
    func choice(_ options: [String]) throws(ScenarioError) -> String {
        let value = try text()
        guard options.contains(value) else {
            throw fail("must be one of " + options.joined(separator: ", ") + ", found '" + value + "'")
        }
        return value
    }

    /// A device count: a number (`5`), a share of the group (`10%`) or `all`.
    func deviceCount() throws(ScenarioError) -> DeviceCount {
        let value = try text()
        if value == "all" { return .all }
        if value.hasSuffix("%") {
            guard let fraction = Units.percent(value), fraction > 0, fraction <= 1 else {
                throw fail("must be a share between 0% and 100%, found '" + value + "'")
            }
            return .share(fraction)
        }
        guard let n = Int(value), n >= 1, n <= 1_000_000 else {
            throw fail("must be a device count (5), a share (10%) or all, found '" + value + "'")
        }
        return .count(n)
    }
}
