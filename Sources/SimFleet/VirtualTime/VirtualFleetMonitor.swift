import DeviceCore

/// Watches a virtual-time fleet from inside its partitions (swarm testing checks its invariants
/// here): every boot, every event a device handled with its actions, every status the observer
/// received. Called on the partition's thread; the swarm runs one partition.
protocol VirtualFleetMonitor: AnyObject {
    /// The bootloader ran for the device at `slot`; nil when nothing was bootable.
    func booted(_ partition: VirtualPartition, slot: Int, info: BootInfo?)
    func handled(_ partition: VirtualPartition, slot: Int, event: Event, actions: [Action])
    func received(_ partition: VirtualPartition, slot: Int, fields: HeartbeatFields, payload: [UInt8])
}
