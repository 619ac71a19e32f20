import DeviceCore

extension DeviceHost {
    /// Where the device is in its life: powered or not, its MQTT link while it is, and whether the
    /// run is over (frozen: no timer fires again, I/O still flows for the end-of-run drain). Each case
    /// carries only what is valid in it: an off device has no link, a powered one no power-on time.
    ///
    ///     state \ event      powerOn        powerOff(until:)        freeze       link(new)            movePowerOn(to:)
    ///     off(powerOnAt)     running(.off)  off(until)              frozenOff    .off only            off(to)
    ///     running(link)      illegal        off(until), link .off   frozen(link) running(new)         illegal
    ///     frozen(link)       illegal        frozenOff, link .off    illegal      frozen(new)          illegal
    ///     frozenOff          illegal        frozenOff               illegal      .off only            illegal
    ///
    /// A power cut of an off device restarts its off time (a scenario's power cycle does). Booting is
    /// no state of its own: the bootloader and the firmware's `.powerOn` run in the same timer call.
    /// Not here: `busy` (a re-entrancy guard of `drain`, true only inside one call, in any state) and
    /// `updating` (membership in the fleet's `updating` gauge, settled after each drain, so a power
    /// cut outside a drain leaves it set until the next one, as a gauge sampled once a second may).
    enum Life: Equatable {
        /// Off; the bootloader runs when the reactor's timer reaches `powerOnAt` (ten years ahead:
        /// waiting for a ramp-up, `FleetRunner.dormantSeconds`).
        case off(powerOnAt: Instant)
        /// Powered, its timers running. The link is `.off` while it boots, after a restart and, for a
        /// bricked device (nothing bootable), for good.
        case running(link: LinkState)
        /// Powered after the end of the run: it heartbeats no more, acknowledgements still arrive.
        case frozen(link: LinkState)
        /// Off after the end of the run (or a power cut during its drain): it never powers on again.
        case frozenOff

        /// A transition the host's own logic must never ask for (`DeviceHost.advance` stops on it),
        /// or a link change the wire reports for a device without power (the host ignores it).
        enum IllegalTransition: Error, Equatable, CustomStringConvertible {
            case powerOnWhilePowered
            case powerOnAfterTheRun
            case powerCutWithLinkUp(LinkState)
            case frozenTwice
            case linkWithoutPower(LinkState)
            case powerOnMovedWhileNotOff

            var description: String {
                switch self {
                case .powerOnWhilePowered: return "powered on while already powered"
                case .powerOnAfterTheRun: return "powered on after the run was frozen"
                case .powerCutWithLinkUp(let link): return "power cut with the link still \(link) (end it first)"
                case .frozenTwice: return "frozen twice"
                case .linkWithoutPower(let link): return "link \(link) without power"
                case .powerOnMovedWhileNotOff: return "power-on time moved while not off"
                }
            }
        }

        var isPoweredOn: Bool {
            switch self {
            case .running, .frozen: return true
            case .off, .frozenOff: return false
            }
        }

        /// Powered and its timers running (not frozen).
        var isRunning: Bool {
            if case .running = self { return true }
            return false
        }

        var isFrozen: Bool {
            switch self {
            case .frozen, .frozenOff: return true
            case .off, .running: return false
            }
        }

        /// When an off device powers on; nil when powered or frozen.
        var powerOnAt: Instant? {
            if case .off(let at) = self { return at }
            return nil
        }

        /// The device's MQTT link: `.off` whenever it has no power.
        var link: LinkState {
            switch self {
            case .running(let link), .frozen(let link): return link
            case .off, .frozenOff: return .off
            }
        }

        /// What changes a host's life; each is legal only in the states of the table above.
        enum Event: Equatable {
            /// The reactor's timer reached `powerOnAt`.
            case powerOn
            /// Power goes off, back at `until` unless the run is frozen. The link must have been
            /// ended first (the host counts its end: a planned disconnect).
            case powerOff(until: Instant)
            /// The run is over: no more timers.
            case freeze
            /// The MQTT link moved. Without power only `.off` is possible (and changes nothing).
            case link(LinkState)
            /// An off device powers on at this instant instead (a ramp-up reached it).
            case movePowerOn(to: Instant)
        }

        /// Moves to the state after `event`, or throws and stays where it is.
        mutating func handle(_ event: Event) throws(IllegalTransition) {
            switch (self, event) {
            case (.off, .powerOn): self = .running(link: .off)
            case (.running, .powerOn), (.frozen, .powerOn): throw .powerOnWhilePowered
            case (.frozenOff, .powerOn): throw .powerOnAfterTheRun

            case (.off, .powerOff(let until)): self = .off(powerOnAt: until)
            case (.running(let link), .powerOff(let until)):
                guard link == .off else { throw .powerCutWithLinkUp(link) }
                self = .off(powerOnAt: until)
            case (.frozen(let link), .powerOff):
                guard link == .off else { throw .powerCutWithLinkUp(link) }
                self = .frozenOff
            case (.frozenOff, .powerOff): break

            case (.off, .freeze): self = .frozenOff
            case (.running(let link), .freeze): self = .frozen(link: link)
            case (.frozen, .freeze), (.frozenOff, .freeze): throw .frozenTwice

            case (.running, .link(let new)): self = .running(link: new)
            case (.frozen, .link(let new)): self = .frozen(link: new)
            case (.off, .link(let new)), (.frozenOff, .link(let new)):
                guard new == .off else { throw .linkWithoutPower(new) }

            case (.off, .movePowerOn(let at)): self = .off(powerOnAt: at)
            case (.running, .movePowerOn), (.frozen, .movePowerOn), (.frozenOff, .movePowerOn): throw .powerOnMovedWhileNotOff
            }
        }
    }

    /// Applies a transition the host's own logic guarantees to be legal; an illegal one is a bug in
    /// the host, and the run stops naming it rather than count a device in two states.
    func advance(_ event: Life.Event) {
        do {
            try life.handle(event)
        } catch {
            preconditionFailure("device " + identity.id + ": " + error.description)
        }
    }
}
