/// A value kept on the heap behind one pointer, with value semantics (copy-on-write). Large,
/// rarely-touched state (the OTA updater, the captive portal) lives here so `Device` stays small
/// and handler frames on a 16 KiB device task do not copy kilobytes in and out of it.
struct OutOfLine<Value>: @unchecked Sendable {
    /// The heap cell; shared between copies until one of them writes.
    private final class Cell {
        /// Never accessed from two places at once: a copy that writes first copies the cell
        /// (`isKnownUniquelyReferenced`), so the runtime's exclusivity check (several per
        /// heartbeat, through `StationMode`) is left out.
        @exclusivity(unchecked) var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var cell: Cell

    init(_ value: Value) { cell = Cell(value) }

    /// The boxed value; writing through it copies the cell first when another copy shares it.
    var value: Value {
        _read { yield cell.value }
        _modify {
            if !isKnownUniquelyReferenced(&cell) { cell = Cell(cell.value) }
            yield &cell.value
        }
        set {
            if isKnownUniquelyReferenced(&cell) { cell.value = newValue } else { cell = Cell(newValue) }
        }
    }
}

extension OutOfLine: Equatable where Value: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool { lhs.cell === rhs.cell || lhs.value == rhs.value }
}
