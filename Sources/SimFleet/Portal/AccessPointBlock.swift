// CMosquitto for <sys/socket.h>: the static-stdlib release build does not see SOCK_STREAM through Glibc.
import CMosquitto
import DeviceCore
import Foundation

/// Which 127.x.0.0/16 block a scenario's access points use: part of the plan, so it derives from
/// the seed alone; and, at run time, a step off a block another process already serves.
extension AccessPointExposure {
    /// The block of a scenario that names none: from the seed, never from the process, so two plans
    /// of one seed are equal. Shards of one run share it (each device keeps its fleet address).
    public static func block(seed: UInt64) -> UInt8 { UInt8(100 + Int(seed % 150)) }

    /// Blocks `block(seed:)` gives and a moved run may take.
    static let derivedBlocks: ClosedRange<UInt8> = 100...249

    /// This exposure on the first block, from its own on through `derivedBlocks` (wrapping), where
    /// nothing listens at device `probe`'s portal address and HTTP port: another simfleet on this
    /// machine (its own seed and block, or the same seed) may hold its own. Only the host's binding
    /// moves; the plan's devices (ids, MACs, jitter, steps) do not. Unchanged when none is free.
    func onAFreeBlock(probing probe: Int, isFree: (IPv4Address, Int) -> Bool = AccessPointExposure.nothingListens)
        -> (exposure: AccessPointExposure, moved: Bool) {
        let count = Int(Self.derivedBlocks.count)
        let start = Self.derivedBlocks.contains(block) ? Int(block - Self.derivedBlocks.lowerBound) : 0
        for step in 0..<count {
            var candidate = self
            candidate.block = Self.derivedBlocks.lowerBound + UInt8((start + step) % count)
            guard let address = candidate.address(forDevice: probe) else { return (self, false) }
            if isFree(address, httpPort) { return (candidate, candidate.block != block) }
        }
        return (self, false)
    }

    /// Whether a TCP listener could bind `address:port` now, with the portal's own socket options.
    static func nothingListens(_ address: IPv4Address, _ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address.text, &sin.sin_addr) == 1 else { return true }
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0 || errno != EADDRINUSE
    }
}
