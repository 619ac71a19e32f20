import Foundation

/// An HTTP `Range: bytes=…` request against a file of `size` bytes (single ranges only, as
/// firmware clients send): `bytes=N-`, `bytes=N-M`, `bytes=-K` (the last K).
enum ByteRange: Equatable {
    case whole
    case partial(ClosedRange<Int>)
    case unsatisfiable

    init(header: String?, size: Int) {
        guard let header else { self = .whole; return }
        let h = header.trimmingCharacters(in: .whitespaces)
        guard h.lowercased().hasPrefix("bytes="), !h.contains(",") else { self = .whole; return }
        let spec = h.dropFirst(6)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { String($0) }
        guard parts.count == 2 else { self = .whole; return }
        if parts[0].isEmpty {
            guard let k = Int(parts[1]), k > 0 else { self = .unsatisfiable; return }
            self = size == 0 ? .unsatisfiable : .partial(max(0, size - k)...(size - 1))
            return
        }
        guard let start = Int(parts[0]), start >= 0 else { self = .whole; return }
        guard start < size else { self = .unsatisfiable; return }
        let end = parts[1].isEmpty ? size - 1 : min(size - 1, Int(parts[1]) ?? (size - 1))
        guard end >= start else { self = .unsatisfiable; return }
        self = .partial(start...end)
    }
}
