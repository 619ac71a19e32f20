/// ESP-IDF's `protocomm_httpd` session rule: one session at a time. A request continues the session
/// when its `Cookie` header is exactly `session=<id>` of the current session, or, with no usable
/// cookie, when it arrives on the connection that opened the session. Anything else closes the
/// current session and opens a new one with a random id, which the response announces in
/// `Set-Cookie`. The last client to speak wins; the one it displaced fails on its next request.
struct HTTPDTransport: Equatable, Sendable {
    /// `cookie_session_id`: the current session, nil before the first request.
    private(set) var session: UInt32?
    /// `sock_session_id`: the connection that opened the session, until a cookie was seen.
    private(set) var connection: UInt32?

    /// Which session `request` belongs to, and whether it had to be opened for it.
    mutating func route(_ request: HTTPRequest, random: inout SeededRandom) -> (id: UInt32, isNew: Bool) {
        if let cookie = request.header("Cookie"), cookie.utf8.count < 20 {
            // httpd copies the header into a 20-byte buffer; a longer one reads as no cookie.
            if let id = session, cookie == "session=" + decimal(Int64(id)) {
                connection = nil
                return (id, false)
            }
        } else if let id = session, let c = request.connection, c == connection {
            return (id, false)
        }
        let id = UInt32(truncatingIfNeeded: random.next())
        session = id
        connection = request.connection
        return (id, true)
    }
}
