import ArgumentParser
import Foundation
import SimFleet

/// `simfleet run … --print-addresses`: where each device's own web server listens, one device a
/// line (`esp32c6-000001 http://127.20.0.1:8080`), from the same seed and layout as the run, so a
/// backend can be told its devices' addresses before the fleet starts.
enum DeviceAddressList {
    static func print(_ configuration: FleetConfiguration) throws {
        guard let web = configuration.deviceHTTP else {
            StandardStream.error.write("simfleet run: --print-addresses lists the devices' web servers: add --device-http (or device_http: in the scenario)\n")
            throw ExitCode(2)
        }
        var out = ""
        for i in 0..<configuration.devices {
            guard let url = web.url(forDevice: i) else { break }
            out += configuration.deviceSpec(i).id + " " + url + "\n"
            if out.utf8.count > 1 << 16 {
                StandardStream.output.write(out)
                out = ""
            }
        }
        StandardStream.output.write(out)
    }
}
