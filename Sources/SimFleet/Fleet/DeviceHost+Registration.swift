import DeviceCore

/// The options every device registers with, resolved once for the fleet (URL and templates).
final class RegistrationPlan: Sendable {
    let url: String
    let options: RegistrationOptions

    init(api: String, options: RegistrationOptions) {
        url = (api.hasSuffix("/") ? String(api.dropLast()) : api) + options.path
        self.options = options
    }
}

/// Registration with the backend's API at first boot, without holding up the boot: one attempt,
/// then retries of 5xx answers and transport errors after a backoff with full jitter (seeded from
/// the device), each request counted in the run's `http.register`.
extension DeviceHost {
    /// Starts registering at the first power-on (later power-ons do not register again).
    func register() {
        guard registration != nil, registrationState == .unregistered else { return }
        sendRegistration(attempt: 1)
    }

    func sendRegistration(attempt: Int) {
        guard let plan = registration else { return }
        if attempt > 1 { reactor.http.countRetry(.register) }
        registrationState = .awaitingAnswer(attempt: attempt)
        let config = firmware.config
        let fields = RegistrationFields(id: identity.id, n: identity.index + 1, mac: hexString(config.baseMAC),
                                        chip: config.chip.idPrefix, firmware: firmware.firmwareVersion)
        let options = plan.options
        reactor.downloads.post(url: plan.url, body: fields.expand(options.body, escapeJSON: options.sendsJSON),
                               headers: options.headerLines(fields), kind: .register, limits: options.limits) { [weak self] exchange, _ in
            self?.registrationAnswered(exchange, attempt: attempt)
        }
    }

    func registrationAnswered(_ exchange: HTTPExchange, attempt: Int) {
        guard let plan = registration else { return }
        var random = SeededRandom(seed: identity.seed ^ 0x5E61_5732 &+ UInt64(attempt))
        registrationState = RegistrationState.after(exchange, attempt: attempt, retries: plan.options.retries,
                                                    backoff: plan.options.backoff, now: HostClock.now(), random: &random)
        switch registrationState {
        case .registered: counters.bump(counters.registered)
        case .failed: counters.bump(counters.registrationFailed)
        default: break
        }
        reschedule()
    }
}
