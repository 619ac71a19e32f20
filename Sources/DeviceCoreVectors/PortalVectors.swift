import DeviceCore

/// The provisioning side: HTML escaping, form decoding, credential rules, the DNS hijack answering
/// real query datagrams, probe URLs, and an unprovisioned device going through the captive portal.
func portalVectors(_ emit: (String, String) -> Void) {
    var escapes: [String] = []
    for text in ["plain", "<script>alert('x')</script>", "Tom & Jerry's \"AP\"", "café ☕", ""] {
        escapes.append(htmlEscaped(text))
    }
    let json = JSONValue.object([JSONMember("ssid", .string("</script><b>&"))])
    escapes.append(String(decoding: htmlSafeJSONBytes(json), as: UTF8.self))
    emit("portal.html-escape", joined(escapes, "\n"))

    var forms: [String] = []
    let bodies: [String] = [
        "ssid=fleet-lab&password=correct+horse",
        "ssid=caf%C3%A9%20%26%20bar&password=%21%40%23%24%25%5E%26*()&extra",
        "&&ssid=a&&",
        "ssid=%zz",
        "ssid=%C3%28",
        "ssid=a&ssid=b",
        "a=1&b=2&c=3&d=4&e=5",
        "ssid=x%2",
    ]
    for body in bodies {
        do {
            let f = try FormFields(decoding: Array(body.utf8), maxBytes: 128, maxFields: 4)
            var parts: [String] = []
            for field in f.fields { parts.append(field.name + "=" + JSONValue.string(field.value).encoded()) }
            forms.append("ok " + joined(parts, " "))
        } catch {
            forms.append("error " + error.reason)
        }
    }
    do {
        _ = try FormFields(decoding: [UInt8](repeating: 0x61, count: 129), maxBytes: 128)
        forms.append("oversized accepted")
    } catch {
        forms.append("error " + error.reason)
    }
    emit("portal.form-decoding", joined(forms, "\n"))

    let seen = [ScannedNetwork(ssid: "secured", bssid: [1, 2, 3, 4, 5, 6], rssi: -50, channel: 6, auth: .wpa2PSK),
                ScannedNetwork(ssid: "cafe", bssid: [1, 2, 3, 4, 5, 7], rssi: -80, channel: 1, auth: .open)]
    var credentials: [String] = []
    let attempts: [(String, String)] = [
        ("fleet-lab", "correct horse"), ("", "whatever1"), ("0123456789abcdef0123456789abcdef!", "password1"),
        ("secured", ""), ("cafe", ""), ("x", "short"), ("x", "tab\there!"),
        ("x", "0123456789012345678901234567890123456789012345678901234567890123"),
    ]
    for (ssid, password) in attempts {
        do {
            let c = try WiFiCredentials(validatingSSID: ssid, password: password, networks: seen)
            credentials.append("ok " + c.ssid)
        } catch {
            credentials.append("error " + error.reason)
        }
    }
    var bars: [String] = []
    for rssi in [-30, -55, -56, -67, -75, -85, -86, -100] { bars.append(dec(rssi) + ":" + dec(signalBars(rssi: rssi))) }
    credentials.append("bars " + joined(bars, " "))
    var probes: [String] = []
    for path in ["/generate_204", "/HOTSPOT-DETECT.HTML", "/ncsi.txt", "/", "/save"] {
        probes.append(path + "=" + yesNo(ProbeURLs.isProbe(path)))
    }
    credentials.append("probes " + joined(probes, " "))
    emit("portal.credentials", joined(credentials, "\n"))

    emit("dns.hijack", dnsExchanges())
    emit("device.captive-portal", provisioningFlow())
}

/// An unprovisioned device: access point and scan, the portal page, the DNS hijack, an OS probe,
/// a refused form, a good form, and the restart into station mode with the saved network.
func provisioningFlow() -> String {
    var s = Script(vectorDeviceConfig(provisioned: false))
    s.send("power-on", .powerOn(.powerOn, boot: BootInfo(slot: 0, firmwareVersion: "2025.03.25.124759")), atMillis: 0)
    s.send("scan-done", .wifi(.scanDone([
        ScannedNetwork(ssid: "fleet-lab", bssid: [0x24, 0x0A, 0xC4, 0, 0, 1], rssi: -48, channel: 6, auth: .wpa2PSK),
        ScannedNetwork(ssid: "<img src=x onerror=alert(1)>", bssid: [0x24, 0x0A, 0xC4, 0, 0, 2], rssi: -80, channel: 11,
                       auth: .open),
    ])), atMillis: 2_000)
    s.send("dns-A", .dnsQuery(id: 1, dnsQuery(id: 0xBEEF, name: "example.com", type: 1)), atMillis: 2_100)
    s.send("probe", .httpRequest(id: 2, HTTPRequest(method: .get, path: "/generate_204",
                                                    headers: [HTTPHeader("Host", "connectivitycheck.gstatic.com")])),
           atMillis: 2_200)
    s.send("portal-page", .httpRequest(id: 3, HTTPRequest(method: .get, path: "/",
                                                          headers: [HTTPHeader("Host", "192.168.4.1")])), atMillis: 2_300)
    s.send("save-short-password", .httpRequest(id: 4, HTTPRequest(
        method: .post, path: "/save", headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
        body: Array("ssid=fleet-lab&password=short".utf8))), atMillis: 2_400)
    s.send("save", .httpRequest(id: 5, HTTPRequest(
        method: .post, path: "/save", headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
        body: Array("ssid=fleet-lab&password=correct+horse".utf8))), atMillis: 2_500)
    s.tick("reboot-due")
    s.send("power-on-provisioned", .powerOn(.software, boot: BootInfo(slot: 0, firmwareVersion: "2025.03.25.124759")),
           atMillis: 6_000)
    s.send("wifi-up", .wifi(.connected(ip: IPv4Address(10, 0, 0, 23), rssi: -48)), atMillis: 7_000)
    s.transcript.append("nvs: ssid=" + optional(s.device.nvs.wifiCredentials?.ssid) + " boots=" + dec(s.device.nvs.bootCount))
    return s.text
}
