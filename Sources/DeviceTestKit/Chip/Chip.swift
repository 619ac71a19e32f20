import DeviceCore

/// The one simulated ESP32 under a `Device`: flash (any `ChipFlash` storage), eFuses, the
/// second-stage bootloader run at every power-on, what NVS held at the last power cut, and why
/// the chip last started. Hosts hand the device's `.flash` and `.burnSecureVersion` actions to
/// `perform`, and its `BootInfo` from `powerOn`. DeviceCore's tests, `DeviceTestKit`'s world and
/// SimFleet's fleets all use this model, so they agree on what a power cut or a boot does.
public struct Chip<Crypto: DeviceCrypto, Flash: ChipFlash>: Sendable where Flash: Sendable {
    /// The flash contents; they survive power cuts. Tests may change them directly (bit rot, a
    /// factory image written by hand); firmware changes them only through `perform`.
    public var flash: Flash
    /// Why the chip last started (`esp_reset_reason()`), nil before the first boot.
    public private(set) var resetReason: ResetReason?
    /// Whether `lastBoot` is kept (true: tests, harnesses and the swarm's invariants read it). A
    /// fleet's chips keep only `runningVersion`: the outcome's log lines, slot decision, otadata,
    /// flash operations and app descriptor are over a kilobyte per device that nothing reads.
    /// (With `resetReason`, right after `flash`: a fleet's flash leaves room for both in its padding.)
    public var keepsBootOutcome = true
    /// Security fuses; the anti-rollback counter only grows (`EFuses` enforces it).
    public var efuses: EFuses
    /// The firmware build's OTA settings the bootloader was built from.
    public var ota: OTAConfig { build.ota }
    /// The ROM + second-stage bootloader, built once from `ota` (see `Chip.bootloader(for:)`).
    public var bootloader: Bootloader<Crypto> { build.bootloader }
    /// `ota` and `bootloader`, which never change, by reference: copies of a chip (a fleet's devices
    /// made from one factory template) share them instead of carrying 100 bytes each.
    private let build: Build
    /// The last boot's outcome; nil before the first boot, when nothing booted, and on a chip that
    /// does not keep it (`keepsBootOutcome`).
    public var lastBoot: BootOutcome? { rare?.value.lastBoot }
    /// Release name of the app the last boot started; nil before the first boot or when dark.
    public private(set) var runningVersion: String?
    /// Why the last boot found nothing to start (the chip stays dark); nil when it booted.
    public var bootFailure: BootError? { rare?.value.bootFailure }
    /// Power-ons since the chip was made, bootable or not.
    public private(set) var boots = 0
    /// Flash operations the chip refused (out of range, unaligned erase): a firmware bug.
    public private(set) var flashErrors: [FlashError] {
        get { rare?.value.flashErrors ?? [] }
        set { updateRare { $0.flashErrors = newValue } }
    }
    /// The device's NVS as it stood when power was last cut (hosts that rebuild the firmware after
    /// a cut restore it from here); nil until a host saves it.
    public var nvs: DeviceNVS? {
        get { rare?.value.nvs }
        set { updateRare { $0.nvs = newValue } }
    }
    /// `lastBoot`, `bootFailure`, `flashErrors` and `nvs`: rare (a fleet's chips have none of them)
    /// and large, so held together by reference, immutable (copies of a chip stay independent),
    /// nil while all are empty: one pointer in every chip instead of four.
    private var rare: Frozen<Rare>?

    private struct Rare: Sendable {
        var lastBoot: BootOutcome?
        var bootFailure: BootError?
        var flashErrors: [FlashError] = []
        var nvs: DeviceNVS?

        var isEmpty: Bool { lastBoot == nil && bootFailure == nil && flashErrors.isEmpty && nvs == nil }
    }

    /// Replaces the rare fields by `change` applied to them (no box when all end up empty).
    private mutating func updateRare(_ change: (inout Rare) -> Void) {
        var value = rare?.value ?? Rare()
        change(&value)
        rare = value.isEmpty ? nil : Frozen(value)
    }

    /// A factory-fresh chip: `flash` as given (program images with `install`), `efuses` as provisioned.
    public init(ota: OTAConfig, flash: Flash, efuses: EFuses = EFuses()) {
        self.build = Build(ota: ota, bootloader: Chip.bootloader(for: ota))
        self.flash = flash
        self.efuses = efuses
    }

    private final class Build: Sendable {
        let ota: OTAConfig
        let bootloader: Bootloader<Crypto>

        init(ota: OTAConfig, bootloader: Bootloader<Crypto>) {
            self.ota = ota
            self.bootloader = bootloader
        }
    }

    /// The bootloader a firmware build with these OTA settings has: the one place that maps
    /// `OTAConfig` (chip, revision, partitions, rollback, anti-rollback) onto `Bootloader`.
    public static func bootloader(for ota: OTAConfig) -> Bootloader<Crypto> {
        Bootloader(chip: ota.chip, partitions: ota.partitions, rollbackEnabled: ota.rollbackEnabled,
                   antiRollbackEnabled: ota.antiRollbackEnabled, chipRevision: ota.chipRevision)
    }

    /// Factory programming (`idf.py flash`): writes `image` at the start of OTA slot `slot`.
    public mutating func install(_ image: [UInt8], slot: Int) throws(FlashError) {
        try flash.apply(.write(offset: ota.partitions.otaSlots[slot].offset, bytes: image))
    }

    /// Power comes up for `reason`: the bootloader runs over the flash (after the storage settles)
    /// and may write otadata and burn eFuses. The `BootInfo` for the device's `.powerOn`, or nil
    /// when nothing is bootable (the chip stays dark, as a bricked ESP32 resets forever).
    public mutating func powerOn(_ reason: ResetReason = .powerOn) -> BootInfo? {
        boots += 1
        resetReason = reason
        flash.settle()
        do {
            let outcome = try bootloader.boot(flash: &flash, efuses: &efuses)
            if keepsBootOutcome || rare != nil {
                let kept = keepsBootOutcome ? outcome : nil
                updateRare {
                    $0.lastBoot = kept
                    $0.bootFailure = nil
                }
            }
            runningVersion = outcome.app.version
            return outcome.bootInfo(efuses: efuses)
        } catch {
            updateRare {
                $0.lastBoot = nil
                $0.bootFailure = error
            }
            runningVersion = nil
            return nil
        }
    }

    /// What `perform` made of an action.
    public enum ActionResult: Equatable, Sendable {
        /// Not a chip action (MQTT, WiFi, HTTP...): the host performs it.
        case notChip
        /// Flash written or eFuse burned.
        case done
        /// The flash refused the operation (counted in `flashErrors`); nothing changed.
        case refused(FlashError)
    }

    /// Performs a chip action: a flash operation or an eFuse burn. Anything else is `.notChip`.
    @discardableResult
    public mutating func perform(_ action: Action) -> ActionResult {
        switch action {
        case .flash(let operation):
            do { try flash.apply(operation) } catch {
                flashErrors.append(error)
                return .refused(error)
            }
            flash.operationApplied()
            return .done
        case .burnSecureVersion(let version):
            efuses.burnSecureVersion(version)
            return .done
        default:
            return .notChip
        }
    }

    /// Power fails part-way through `operation` (`numerator/denominator` of it lands, as
    /// `applyTorn` describes); the chip is then off until the next `powerOn`.
    public mutating func cutPower(during operation: FlashOperation, numerator: Int = 1, denominator: Int = 2) {
        do { try flash.applyTorn(operation, numerator: numerator, denominator: denominator) } catch {
            flashErrors.append(error)
        }
    }

    /// The firmware stopped writing (a download ended): let the storage fold what was written.
    public mutating func settle() { flash.settle() }

    /// otadata as it is on flash now.
    public var otadata: OTAData {
        guard let partition = ota.partitions.otaData,
              let bytes = try? flash.read(offset: partition.offset, length: OTAData.partitionSize) else {
            return OTAData(entries: [.erased, .erased])
        }
        return OTAData.parse(bytes)
    }

    /// `length` bytes from the start of OTA slot `index`.
    public func slot(_ index: Int, length: Int) throws(FlashError) -> [UInt8] {
        try flash.read(offset: ota.partitions.otaSlots[index].offset, length: length)
    }
}

extension Chip where Flash == NORFlash {
    /// A factory-fresh chip with a plain NOR array of `flashSize` bytes.
    public init(ota: OTAConfig, efuses: EFuses = EFuses(), flashSize: Int = 8 * 1024 * 1024) {
        self.init(ota: ota, flash: NORFlash(size: flashSize), efuses: efuses)
    }
}

/// An immutable value held by reference (a chip's rare, large fields): replaced, never changed.
private final class Frozen<Value: Sendable>: Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }
}
