import Glibc

/// The open-file budget of a run: RLIMIT_NOFILE raised to its hard limit, and how many devices fit.
/// Each device holds one descriptor in the simulator and one in a broker on the same machine
/// (the embedded broker inherits the same limit), so the ceiling is the limit minus what is
/// already open and a reserve for the observer, reactors, origin and the broker's own files.
public struct DescriptorBudget: Sendable, Equatable {
    public var softLimit: Int
    public var hardLimit: Int
    public var openAtStart: Int
    /// Descriptors each device holds in this process: its MQTT connection, plus its web server's
    /// listening socket with `--device-http`.
    public var descriptorsPerDevice = 1
    public static let reserve = 256

    /// Raises the soft limit to the hard limit (as far as allowed) and measures.
    public static func raise() -> DescriptorBudget {
        var lim = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        if lim.rlim_cur < lim.rlim_max {
            var raised = lim
            raised.rlim_cur = lim.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { lim = raised }
        }
        return DescriptorBudget(softLimit: Int(lim.rlim_cur), hardLimit: Int(lim.rlim_max), openAtStart: openDescriptors())
    }

    /// Devices this process can hold: `descriptorsPerDevice` descriptors each.
    public var deviceCeiling: Int { max(0, softLimit - openAtStart - DescriptorBudget.reserve) / max(1, descriptorsPerDevice) }

    /// Descriptors a device behind the fault proxy holds in this process: its own socket, the
    /// proxy's accepted socket and the proxy's socket to the broker (the broker's side is unchanged).
    public static let perProxiedDevice = 3

    /// Descriptors `devices` need when `proxied` of them go through the fault proxy.
    public static func needed(devices: Int, proxied: Int) -> Int { devices + (perProxiedDevice - 1) * proxied }

    /// Devices this process can hold when every one of them is proxied.
    public var proxiedDeviceCeiling: Int { deviceCeiling / DescriptorBudget.perProxiedDevice }

    static func openDescriptors() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 16 }
        defer { closedir(dir) }
        var n = 0
        while readdir(dir) != nil { n += 1 }
        return max(0, n - 3)  // ".", ".." and the directory's own descriptor
    }
}

/// How connections spread so no (source, destination) pair carries more than a few thousand:
/// Linux's port search slows sharply past ~14k connections to one address and port.
public struct ConnectionSpread: Sendable, Equatable {
    public static let perListener = 8000
    public static let perSourceAddress = 2500

    /// Broker listeners an embedded broker should open for `devices`.
    public static func listeners(for devices: Int) -> Int { max(1, (devices + perListener - 1) / perListener) }

    /// Loopback source address for device `index` when the broker is on loopback (127.0.0.2 …).
    public static func sourceAddress(index: Int, devices: Int) -> String? {
        let count = max(1, min(200, (devices + perSourceAddress - 1) / perSourceAddress))
        guard devices > perSourceAddress else { return nil }
        return "127.0.0.\(2 + index % count)"
    }
}
