import DeviceCore
import Foundation

/// A run report (docs/report-format.md) read for its figures: numbers by path, and the sampled
/// time series behind `within`.
public struct ReportDocument: Sendable {
    public var json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    /// Reads a report file; reports may be large (time series), so the limit is generous.
    public init(bytes: [UInt8]) throws(ReportReadError) {
        do {
            self.json = try JSONReader(maxBytes: 256 << 20, maxDepth: 32).parse(bytes)
        } catch {
            throw ReportReadError.malformed(String(describing: error))
        }
        guard case .object = json else { throw .malformed("the top level is not an object") }
    }

    /// The value at `path`, nil when any segment is missing.
    public func value(at path: [String]) -> JSONValue? {
        var node: JSONValue? = json
        for segment in path { node = node?[segment] }
        return node
    }

    /// The number at `path`, nil when missing or not a number.
    public func number(at path: [String]) -> Double? {
        guard case .number(let n)? = value(at: path) else { return nil }
        return Double(n.text)
    }

    /// Numbers of an array at `path` (a time series), nil when missing.
    public func series(at path: [String]) -> [Double]? {
        guard case .array(let items)? = value(at: path) else { return nil }
        return items.map { item -> Double in
            if case .number(let n) = item { return Double(n.text) ?? 0 }
            return 0
        }
    }

    /// Member names and values of the object at `path`, in file order.
    public func members(at path: [String]) -> [JSONMember] {
        guard case .object(let members)? = value(at: path) else { return [] }
        return members
    }
}

/// A report file that cannot be read.
public enum ReportReadError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "not a simfleet report: " + why
        }
    }
}
