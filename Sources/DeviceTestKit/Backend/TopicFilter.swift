/// MQTT topic filters (`device/+/status`, `device/#`) as a broker matches them (MQTT 3.1.1 §4.7).
public enum TopicFilter {
    /// Whether `topic` matches `filter`. Topics starting with `$` match only filters that name it.
    public static func matches(_ filter: String, _ topic: String) -> Bool {
        let f = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let t = topic.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if topic.utf8.first == UInt8(ascii: "$"), let first = f.first, first.elementsEqual("+".utf8) || first.elementsEqual("#".utf8) {
            return false
        }
        var i = 0
        while i < f.count {
            if f[i].elementsEqual("#".utf8) { return true }
            guard i < t.count else { return false }
            if !f[i].elementsEqual("+".utf8) && !f[i].elementsEqual(t[i]) { return false }
            i += 1
        }
        return i == t.count
    }
}
