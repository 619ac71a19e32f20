import DeviceCore

/// A provisioned device's own web server on its loopback address (`--device-http`): open while
/// its station is up, closed while it is off or its WiFi is down.
extension DeviceHost {
    /// Gives the device its web server's shell (before `attach`).
    func provide(_ shell: DeviceHTTPShell) {
        deviceHTTP = shell
        shell.deliver = { [unowned self] event in self.deliver(event) }
    }

    /// Opens or closes the web server as the station is up or not (after every drain and power change).
    func syncDeviceHTTP() {
        guard let shell = deviceHTTP else { return }
        shell.want(life.isRunning && firmware.isStationUp)
    }
}
