import DeviceCore

/// The storage under a simulated chip: any `FlashMemory` that reads back exactly what NOR rules
/// would hold. `NORFlash` is the plain sparse array; a host may keep image bytes elsewhere (SimFleet's
/// `DeviceFlash` shares them across a fleet) and uses the two hooks to fold them back.
public protocol ChipFlash: FlashMemory {
    /// Called after every flash operation the chip performed for the firmware.
    mutating func operationApplied()
    /// Called when the firmware stops writing (a download ended, a boot is about to read the
    /// slots): a storage that shares bytes folds what was written. Changes no byte a read returns.
    mutating func settle()
}

extension ChipFlash {
    public mutating func operationApplied() {}
    public mutating func settle() {}
}

extension NORFlash: ChipFlash {}

extension FlashMemory {
    /// Performs the first part of `operation` and then loses power, on any storage: a write
    /// programs only its first `numerator/denominator` of bytes; an erase clears that share of its
    /// sectors and leaves the next one half-erased (first half 0xFF, the rest as it was), as
    /// `NORFlash.applyInterrupted` does. Built from reads, erases and writes only, so every
    /// storage gets the same torn states.
    public mutating func applyTorn(_ operation: FlashOperation, numerator: Int, denominator: Int) throws(FlashError) {
        precondition(denominator > 0 && numerator >= 0 && numerator <= denominator, "a share of an operation is n/d in 0...1")
        let sector = NORFlash.sectorSize
        switch operation {
        case let .write(offset, bytes):
            let kept = bytes.count * numerator / denominator
            if kept > 0 { try apply(.write(offset: offset, bytes: Array(bytes.prefix(kept)))) }
        case let .erase(offset, length):
            if offset % sector != 0 || length % sector != 0 { throw .unalignedErase(offset: offset, length: length) }
            let total = length / sector
            let done = total * numerator / denominator
            if done > 0 { try apply(.erase(offset: offset, length: done * sector)) }
            if done < total {
                let start = offset + done * sector
                let old = try read(offset: start, length: sector)
                try apply(.erase(offset: start, length: sector))
                try apply(.write(offset: start + sector / 2, bytes: Array(old[(sector / 2)...])))
            }
        }
    }
}
