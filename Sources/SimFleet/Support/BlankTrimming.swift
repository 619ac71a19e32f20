extension StringProtocol {
    /// The text without leading and trailing blanks: tabs and space separators (Unicode `Zs`), the
    /// set `trimmingCharacters(in: .whitespaces)` strips, without running Foundation's CharacterSet.
    func trimmingBlanks() -> String {
        func blank(_ s: Unicode.Scalar) -> Bool { s == "\t" || s.properties.generalCategory == .spaceSeparator }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
