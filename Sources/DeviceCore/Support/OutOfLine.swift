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

    /// Whether `other` holds this very cell (a copy not yet written to).
    func isSameCell(as other: Self) -> Bool { cell === other.cell }

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
    /// Drops this copy's cell for `other`'s when their values are equal (one copy where many
    /// equal ones were built); true when the two now share a cell.
    mutating func share(_ other: Self) -> Bool {
        if cell === other.cell { return true }
        guard cell.value == other.cell.value else { return false }
        cell = other.cell
        return true
    }


    static func == (lhs: Self, rhs: Self) -> Bool { lhs.cell === rhs.cell || lhs.value == rhs.value }
}
