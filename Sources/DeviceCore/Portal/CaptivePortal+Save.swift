/// `POST /save`: decode, validate, and either accept (state moves to awaiting reboot) or refuse
/// with a 4xx that names the problem.
extension CaptivePortal {
    mutating func save(_ request: HTTPRequest, at now: Instant) -> PortalReply {
        let submission: SaveSubmission
        do {
            submission = try SaveSubmission(request, maxBytes: config.maxBodyBytes)
        } catch {
            return refuse(error, json: SaveSubmission.isJSON(request), ssid: "")
        }
        let credentials: WiFiCredentials
        do {
            credentials = try WiFiCredentials(validatingSSID: submission.ssid, password: submission.password, networks: networks)
        } catch {
            return refuse(error, json: submission.json, ssid: submission.ssid)
        }
        let rebootAt = now + config.rebootDelay
        state = .savedAwaitingReboot(ssid: credentials.ssid, rebootAt: rebootAt)
        let response: HTTPResponse
        if submission.json {
            response = .json(200, .object([JSONMember("saved", .bool(true)), JSONMember("ssid", .string(credentials.ssid)),
                                           JSONMember("reboot_in_ms", .int(config.rebootDelay.milliseconds))]))
        } else {
            response = .html(200, PortalPage.saved(ssid: credentials.ssid, rebootSeconds: (config.rebootDelay.milliseconds + 999) / 1000))
        }
        return PortalReply(response, saved: credentials, log: "portal: credentials saved for SSID \"" + credentials.ssid + "\"")
    }

    /// A 4xx naming the problem: JSON for JSON clients, else the setup page with the error and the
    /// SSID re-filled (never the password).
    func refuse(_ error: ProvisioningError, json: Bool, ssid: String) -> PortalReply {
        let log = "portal: save refused: " + error.reason
        if json {
            return PortalReply(HTTPResponse(status: error.status, headers: [HTTPHeader("Content-Type", "application/json")],
                                            body: htmlSafeJSONBytes(.object([JSONMember("error", .string(error.code)),
                                                                             JSONMember("reason", .string(error.reason))]))),
                               log: log)
        }
        return PortalReply(.html(error.status, PortalPage.setup(deviceID: config.deviceID, networks: networks,
                                                                notice: error.reason, ssid: ssid)), log: log)
    }
}
