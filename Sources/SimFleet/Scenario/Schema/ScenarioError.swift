import DeviceCore

/// Where something sits in a scenario file: 1-based line and column, as editors count them.
public struct SourcePosition: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A value given on the command line: the flag stands where a file gives line and column.
    public static func flag(_ name: String) -> SourcePosition { SourcePosition(file: name, line: 0, column: 0) }

    /// Whether this is a flag (`flag(_:)`), not a place in a file.
    public var isFlag: Bool { line == 0 }

    /// `file:line:column`, the form compilers print and editors jump to; a flag's name alone.
    public var description: String { isFlag ? file : file + ":" + String(line) + ":" + String(column) }

    /// The same line, `offset` characters further right (a token inside a scalar).
    public func advanced(by offset: Int) -> SourcePosition {
        SourcePosition(file: file, line: line, column: column + offset)
    }
}

/// A scenario file that cannot be used, with the position and the key that is wrong.
/// `simfleet validate` and `simfleet run` print `description` and exit 2.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    public var position: SourcePosition
    /// The key (or dotted path of keys) the problem is about, when there is one.
    public var key: String?
    public var message: String

    public init(_ message: String, at position: SourcePosition, key: String? = nil) {
        self.message = message
        self.position = position
        self.key = key
    }

    /// `scenarios/x.yaml:12:5: unknown key 'heartbaet' in fleet group (expected one of: ...)`.
    /// The message quotes values from the file: their control characters are escaped (`logEscaped`),
    /// so a scenario cannot write escape sequences to the terminal that prints it.
    public var description: String { logEscaped(position.description + ": " + message) }
}
