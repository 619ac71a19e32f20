import DeviceCore

/// One step of a scenario's timeline: when it starts and what it does.
public struct TimelineStep: Equatable, Sendable {
    /// Optional label shown in the report and in messages.
    public var name: String?
    public var trigger: StepTrigger
    public var action: StepAction
    public var position: SourcePosition

    /// The step's key in the file (`rollout`, `device_fault`, …).
    public var kind: String { action.kind }
}

/// When a step starts.
public enum StepTrigger: Equatable, Sendable {
    /// At a fixed offset from the start of the run.
    case at(TimeSpan)
    /// When the previous step has finished and `condition` holds, giving up (failing the run)
    /// after `timeout`.
    case after(Condition, timeout: TimeSpan)
    /// Right after the previous step finished (no `at`/`after` given).
    case afterPrevious
}

/// A condition on live figures, same language as expectations (`all_online` is sugar for
/// `online >= 100%`).
public struct Condition: Equatable, Sendable {
    public var text: String
    public var comparison: Comparison
}

/// What a step does.
public enum StepAction: Equatable, Sendable {
    /// Start connecting the devices of a group (or all not yet started) at a rate.
    case rampUp(group: String?, perSecond: Double?)
    /// Let the timeline pause for a while (the fleet keeps running).
    case wait(TimeSpan)
    /// Steady state for a while: behaves as `wait`, named for what the author means.
    case hold(TimeSpan)
    case rollout(Rollout)
    case firmwareFault(FirmwareFault)
    case deviceFault(DeviceFault)
    case networkFault(NetworkFault)
    /// Stop the embedded broker, keep it down for `down`, start it again on the same ports.
    case brokerRestart(down: TimeSpan)
    /// Make any broker unreachable for the whole fleet for `down`, through the fault proxy.
    case brokerOutage(down: TimeSpan, mode: OutageMode)
    /// SIGKILL the embedded broker, as something outside simfleet might; simfleet notices and starts it again.
    case brokerKill
    /// Provision unprovisioned devices through their captive portals.
    case provision(Provision)
    /// Devices try to publish and subscribe outside their own topics.
    case aclProbe(ACLProbe)
    /// Remove every firmware and network fault in force.
    case clearFaults

    public var kind: String {
        switch self {
        case .rampUp: return "ramp_up"
        case .wait: return "wait"
        case .hold: return "hold"
        case .rollout: return "rollout"
        case .firmwareFault: return "firmware_fault"
        case .deviceFault: return "device_fault"
        case .networkFault: return "network_fault"
        case .brokerRestart: return "broker_restart"
        case .brokerOutage: return "broker_outage"
        case .brokerKill: return "broker_kill"
        case .provision: return "provision"
        case .aclProbe: return "acl_probe"
        case .clearFaults: return "clear_faults"
        }
    }
}

/// Roll firmware out to a cohort.
public struct Rollout: Equatable, Sendable {
    public var version: String
    public var cohort: DeviceCount
    public var selector: DeviceSelector
    public var via: Via
    /// With `via: mqtt`: the image's URL when it is not the embedded origin's (`firmware:`), and
    /// what the command says of it.
    public var url: String? = nil
    public var sha256: String? = nil
    public var size: Int? = nil

    public enum Via: String, Equatable, Sendable {
        /// An OTA command on each cohort device's OTA topic (`device/{id}/ota` by default).
        case mqtt
        /// The origin's manifest names the version; cohort devices get `{"action":"check"}`.
        case manifest
        /// The origin's manifest names the version and nothing else is sent: the devices find it
        /// at their next poll (`backend.manifest.poll`), as a backend-led rollout goes.
        case poll
    }
}

/// A fault of the embedded firmware origin, applied to a share of downloads from then on.
public struct FirmwareFault: Equatable, Sendable {
    public var kind: Kind
    /// Fraction of downloads affected (chosen by the seeded plan, per device).
    public var downloads: Double
    /// Only downloads of this version; nil for all.
    public var version: String?

    public enum Kind: Equatable, Sendable {
        /// Flip bytes in the body so the SHA-256 no longer matches.
        case corrupt
        /// Serve only the first `fraction` of the image and end the response cleanly.
        case truncate(fraction: Double)
        /// Throttle to `bytesPerSecond`.
        case slow(bytesPerSecond: Double)
        /// Close the connection after `fraction` of the image.
        case drop(fraction: Double)
        /// Stop sending after `fraction` of the image and keep the connection open (the device's
        /// stall timeout cancels and resumes it), once per device and file.
        case stall(fraction: Double)
    }
}

/// A fault on simulated devices.
public struct DeviceFault: Equatable, Sendable {
    public var kind: Kind
    public var devices: DeviceCount
    public var selector: DeviceSelector

    public enum Kind: Equatable, Sendable {
        /// Power off, then on again after `off`.
        case powerCycle(off: TimeSpan)
        /// Cut power during the next flash write of an update.
        case powerLossDuringFlashWrite
        /// Lose WiFi for `duration`.
        case wifiDrop(duration: TimeSpan)
        /// `POST /reset_wifi`; when `reprovision`, provision again through the portal.
        case resetWiFi(reprovision: Bool)
    }
}

/// A fault on the devices' network path, carried out by the fault proxy on both directions.
public struct NetworkFault: Equatable, Sendable {
    public var kind: Kind
    public var devices: DeviceCount
    public var selector: DeviceSelector
    /// How long it lasts; nil until `clear_faults` or the end of the run.
    public var duration: TimeSpan?

    public enum Kind: Equatable, Sendable {
        /// Reset the selected devices' connections (all at once, spread over `over`).
        case disconnectStorm(over: TimeSpan)
        /// A toxic on the devices' links for `duration` (latency, packet_loss, bandwidth,
        /// slow_close, timeout, reset_peer, limit_data, refuse).
        case toxic(Toxic)

        /// The scenario key (`disconnect_storm`, `latency`, …).
        public var name: String {
            switch self {
            case .disconnectStorm: return "disconnect_storm"
            case .toxic(let t): return t.kind.rawValue
            }
        }
    }
}

/// Provision devices through their captive portal (`POST /save` with the run's WiFi).
public struct Provision: Equatable, Sendable {
    public var devices: DeviceCount
    public var selector: DeviceSelector
    /// The network to give them (one of `wifi:`); nil: the first.
    public var ssid: String? = nil
    /// The passphrase to submit; nil: the network's own (a wrong one makes the join fail).
    public var password: String? = nil
    /// How: through the captive portal (`POST /save`), or as a phone app speaks ESP-IDF's
    /// provisioning protocol (`idf_softap`, SimFleet's own client).
    public var via: Via = .captivePortal
    /// `idf_softap` security 1: the proof of possession to present instead of the device's own
    /// (a wrong one fails the session).
    public var pop: String? = nil

    public enum Via: String, Equatable, Sendable {
        case captivePortal = "captive_portal"
        case idfSoftAP = "idf_softap"
    }
}

/// Devices subscribe to topics that are not theirs (another device's status, commands and logs,
/// wildcards); with the embedded broker's ACL every attempt should be refused.
public struct ACLProbe: Equatable, Sendable {
    public var devices: DeviceCount
    /// Attempts per device, each a different topic (`ACLProbeTopics`).
    public var attempts: Int
}
