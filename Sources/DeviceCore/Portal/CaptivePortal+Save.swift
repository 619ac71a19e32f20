/// `POST /save`: decode, validate, and either accept (state moves to awaiting reboot; the notice
/// `.saved`) or refuse with a 4xx that names the problem (the refusal `.invalidRequest`).
extension CaptivePortal {
    mutating func save(_ request: HTTPRequest, id: UInt32, at now: Instant) -> Output {
        let submission: SaveSubmission
        do {
            submission = try SaveSubmission(request, maxBytes: config.maxBodyBytes)
        } catch {
            return refuse(error, id: id, json: SaveSubmission.isJSON(request), ssid: "")
        }
        let credentials: WiFiCredentials
        do {
            credentials = try WiFiCredentials(validatingSSID: submission.ssid, password: submission.password, networks: networks)
        } catch {
            return refuse(error, id: id, json: submission.json, ssid: submission.ssid)
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
        return answer(id, response, log: .log(.info, "portal: credentials saved for SSID \"" + credentials.ssid + "\""),
                      notice: .saved(credentials))
    }

    /// A 4xx naming the problem: JSON for JSON clients, else the setup page with the error and the
    /// SSID re-filled (never the password).
    func refuse(_ error: ProvisioningError, id: UInt32, json: Bool, ssid: String) -> Output {
        let response: HTTPResponse
        if json {
            response = HTTPResponse(status: error.status, headers: [HTTPHeader("Content-Type", "application/json")],
                                    body: htmlSafeJSONBytes(.object([JSONMember("error", .string(error.code)),
                                                                     JSONMember("reason", .string(error.reason))])))
        } else {
            response = .html(error.status, PortalPage.setup(deviceID: config.deviceID, networks: networks,
                                                           notice: error.reason, ssid: ssid))
        }
        return answer(id, response, log: .log(.warning, "portal: save refused: " + error.reason),
                      refusal: .invalidRequest(error))
    }
}
