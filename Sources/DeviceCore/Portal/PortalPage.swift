/// The built-in portal pages. Every text that came from outside (SSIDs, the device id, echoed
/// form values, failure reasons) goes through `htmlEscaped`; the password is never written.
enum PortalPage {
    static let style = """
        body{font-family:system-ui,sans-serif;max-width:28rem;margin:1rem auto;padding:0 1rem;color:#222}\
        h1{font-size:1.3rem}ul{list-style:none;padding:0}\
        li{display:flex;justify-content:space-between;padding:.5rem;border-bottom:1px solid #ddd;cursor:pointer}\
        .bars{font-family:monospace;letter-spacing:-1px}.sig{white-space:nowrap;margin-left:.5rem}.ssid{overflow-wrap:anywhere}.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px}\
        .ok{background:#e6f6e6;padding:.6rem;border-radius:4px}label{display:block;margin-top:.8rem}\
        input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1.2rem}
        """

    static func document(title: String, body: String) -> String {
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            + "<title>" + htmlEscaped(title) + "</title><style>" + style + "</style></head><body>"
            + body + "</body></html>"
    }

    /// The setup page: device id, scanned networks, the form; `notice` is a failure or error to show.
    static func setup(deviceID: String, networks: [ScannedNetwork], notice: String?, ssid: String) -> String {
        var body = "<h1>WiFi setup</h1><p>Device <code id=\"device-id\">" + htmlEscaped(deviceID) + "</code></p>"
        if let notice {
            body += "<p class=\"error\" id=\"error\" role=\"alert\">" + htmlEscaped(notice) + "</p>"
        }
        body += "<h2>Networks</h2><ul id=\"networks\">"
        for n in visibleNetworks(networks) {
            body += "<li onclick=\"pick(this)\"><span class=\"ssid\">" + htmlEscaped(n.ssid) + "</span>"
                + "<span class=\"sig\"><span class=\"bars\" title=\"" + decimal(Int64(n.rssi)) + " dBm\">" + barGlyphs(n.rssi)
                + "</span>" + (n.auth == .open ? "" : lockIcon)
                + "</span></li>"
        }
        body += "</ul><form method=\"post\" action=\"/save\" id=\"wifi-form\">"
            + "<label for=\"ssid\">Network name (SSID)</label>"
            + "<input id=\"ssid\" name=\"ssid\" maxlength=\"32\" required value=\"" + htmlEscaped(ssid) + "\">"
            + "<label for=\"password\">Password</label>"
            + "<input id=\"password\" name=\"password\" type=\"password\" maxlength=\"63\" autocomplete=\"off\">"
            + "<button type=\"submit\">Save and connect</button></form>"
            + "<script>function pick(li){document.getElementById('ssid').value="
            + "li.querySelector('.ssid').textContent;document.getElementById('password').focus();}</script>"
        return document(title: "WiFi setup", body: body)
    }

    static func saved(ssid: String, rebootSeconds: Int64) -> String {
        document(title: "Saved", body: "<h1>Saved</h1><p class=\"ok\" id=\"saved\">The device will restart in "
            + decimal(rebootSeconds) + " s and join <strong>" + htmlEscaped(ssid) + "</strong>.</p>"
            + "<p>Reconnect this phone or computer to your usual network.</p>")
    }

    /// Strongest first, hidden networks (empty SSID) left out, each SSID once.
    static func visibleNetworks(_ networks: [ScannedNetwork]) -> [ScannedNetwork] {
        var out: [ScannedNetwork] = []
        for n in networks where !n.ssid.isEmpty {
            if let i = out.firstIndex(where: { $0.ssid == n.ssid }) {
                if n.rssi > out[i].rssi { out[i] = n }
            } else {
                out.append(n)
            }
        }
        out.sort { $0.rssi > $1.rssi }
        return out
    }

    /// A padlock drawn in SVG (a font may lack the emoji), marking secured networks.
    static let lockIcon = " <svg class=\"lock\" role=\"img\" aria-label=\"secured\" width=\"12\" height=\"14\" viewBox=\"0 0 12 14\">"
        + "<title>secured</title><rect x=\"1\" y=\"6\" width=\"10\" height=\"8\" rx=\"1\"/>"
        + "<path d=\"M3 6V4a3 3 0 0 1 6 0v2\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.6\"/></svg>"

    /// Four block glyphs, filled up to the signal's bar count.
    static func barGlyphs(_ rssi: Int) -> String {
        let bars = signalBars(rssi: rssi)
        let glyphs = ["&#9602;", "&#9604;", "&#9606;", "&#9608;"]
        var out = ""
        for i in 0..<4 { out += i < bars ? glyphs[i] : "&#183;" }
        return out
    }

    /// The `/scan` document: `{"networks":[{"ssid","rssi","bars","secure","auth","channel"}]}`.
    static func scanJSON(_ networks: [ScannedNetwork]) -> JSONValue {
        var items: [JSONValue] = []
        for n in visibleNetworks(networks) {
            items.append(.object([
                JSONMember("ssid", .string(n.ssid)),
                JSONMember("rssi", .int(n.rssi)),
                JSONMember("bars", .int(signalBars(rssi: n.rssi))),
                JSONMember("secure", .bool(n.auth != .open)),
                JSONMember("auth", .string(n.auth.name)),
                JSONMember("channel", .int(n.channel)),
            ]))
        }
        return .object([JSONMember("networks", .array(items))])
    }
}
