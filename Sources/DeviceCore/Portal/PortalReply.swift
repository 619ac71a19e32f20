/// The portal's answer to one request, plus what the device must do about it.
public struct PortalReply: Equatable, Sendable {
    /// What to send the client.
    public var response: HTTPResponse
    /// Set on a successful save: store these and reboot at `CaptivePortal.nextDeadline`.
    public var saved: WiFiCredentials?
    /// A log line for the device's log (never contains the password), nil when nothing happened.
    public var log: String?

    /// A reply; `saved` only for an accepted `POST /save`.
    public init(_ response: HTTPResponse, saved: WiFiCredentials? = nil, log: String? = nil) {
        self.response = response
        self.saved = saved
        self.log = log
    }
}
