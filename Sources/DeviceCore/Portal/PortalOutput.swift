/// What the captive portal answers, in the sub-machines' one shape (`MachineOutput`): its actions
/// (the HTTP response and any log line, in the order the device emits them), why a request was
/// refused, and what the device must do beyond the actions.
extension CaptivePortal {
    /// Why the portal refused a request. Each refusal has already been answered with its HTTP error
    /// (in the output's actions); the case says which, for the owner and for tests.
    public enum Refusal: Error, Equatable, Sendable {
        /// A body over the limit or a `POST /save` that did not validate: 400, 413 or 415 naming
        /// the problem (`ProvisioningError.status`), and a warning in the log.
        case invalidRequest(ProvisioningError)
        /// A second `POST /save` while the device waits to restart: 409.
        case alreadySaved
        /// Provisioning is over (reboot due or AP stopped): 410 Gone to every request.
        case closed
    }

    /// What the device must act on beyond the actions.
    public enum Notice: Equatable, Sendable {
        /// `POST /save` accepted these credentials: store them and reboot at `deadline`.
        case saved(WiFiCredentials)
        /// The reboot delay after a save has passed (the portal is closed now).
        case rebootDue
    }

    /// Actions, a typed refusal and a notice.
    public typealias Output = MachineOutput<Refusal, Notice>
}
