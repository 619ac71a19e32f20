@testable import DeviceCore
import XCTest
@testable import SimFleet

/// Payload templates as users write them: compiled for the devices, read back by the observer.
final class TelemetryTemplateTextTests: XCTestCase {
    func compile(_ text: String) -> TelemetryTemplate? {
        do { return try TelemetryTemplateText.compile(text) } catch {
            XCTFail("refused '\(text)': \(error.message)")
            return nil
        }
    }

    func problem(_ text: String) -> TelemetryTemplateTextError? {
        do { _ = try TelemetryTemplateText.compile(text); return nil } catch { return error }
    }

    func testJSONBracesAreTextAndBareWordsAreGenerators() throws {
        let t = try XCTUnwrap(compile(#"{"seq":{seq},"t":{float:20:25:1},"on":"{choice:yes|no}","who":"{id}","up":{uptime},"ts":{ts}}"#))
        XCTAssertEqual(t.parts, [
            .text(Array(#"{"seq":"#.utf8)), .seq, .text(Array(#","t":"#.utf8)), .uniform(lower: 200, upper: 250, decimals: 1),
            .text(Array(#","on":""#.utf8)), .choice([Array("yes".utf8), Array("no".utf8)]), .text(Array(#"","who":""#.utf8)),
            .deviceID, .text(Array(#"","up":"#.utf8)), .uptime, .text(Array(#","ts":"#.utf8)), .timestamp, .text(Array("}".utf8)),
        ])
        XCTAssertTrue(t.hasSequence && t.hasTimestamp)
        let walks = try XCTUnwrap(compile("{walk:20:0.1} {gauss:21.5:0.3} {walk:-3:1:0} {int:-5:5} {pad:64}"))
        XCTAssertEqual(walks.parts[0], .walk(start: 2000, step: 10, decimals: 2, slot: 0))
        XCTAssertEqual(walks.parts[2], .gauss(mean: 2150, deviation: 30, decimals: 2))
        XCTAssertEqual(walks.parts[4], .walk(start: -3, step: 1, decimals: 0, slot: 1))
        XCTAssertEqual(walks.parts[6], .integer(lower: -5, upper: 5))
        XCTAssertEqual(walks.paddedLength, 64)
        XCTAssertEqual(walks.walkCount, 2)
    }

    func testMistakesAreNamedWithTheirPlace() {
        XCTAssertEqual(problem(#"{"t":{gaus:1:2}}"#)?.offset, 5, "a typo is never silent text")
        XCTAssertTrue(problem("{int:5:1}")?.message.contains("lower bound") == true)
        XCTAssertTrue(problem("{int:a:1}")?.message.contains("whole numbers") == true)
        XCTAssertTrue(problem("{float:1}")?.message.contains("2 or 3 arguments") == true)
        XCTAssertTrue(problem("{float:0:1:9}")?.message.contains("decimals") == true)
        XCTAssertTrue(problem("{gauss:1:-1}")?.message.contains("must be ≥ 0") == true)
        XCTAssertTrue(problem("{walk:20:0.001}")?.message.contains("give more decimals") == true, "a step of 0 at 2 decimals")
        XCTAssertNil(problem("{walk:20:0.001:3}"), "3 decimals hold it")
        XCTAssertTrue(problem("{float:0:1e16:0}")?.message.contains("too large") == true)
        XCTAssertTrue(problem("{choice:a||b}")?.message.contains("empty") == true)
        XCTAssertTrue(problem("{pad:0}")?.message.contains("size") == true)
        XCTAssertTrue(problem("{pad:10}{pad:20}")?.message.contains("more than one") == true)
        XCTAssertTrue(problem("{seq:1}")?.message.contains("no arguments") == true)
        XCTAssertNotNil(problem(""))
    }

    func testTheObserverReadsSeqAndTsBackFromARenderedPayload() throws {
        let text = #"{"id":"{id}","mode":"{choice:eco|boost}","v":{gauss:21.5:3:3},"pad":"{pad:200}","seq":{seq},"ts":{ts},"x":{int:1:9}}"#
        let template = try XCTUnwrap(compile(text))
        let reader = try XCTUnwrap(try TelemetryPayloadReader(template))
        var generators = TelemetryGenerators(random: SeededRandom(seed: 3), walks: [])
        for seq in [1, 42, 1_000_000] {
            let at = Instant(microseconds: 1_764_396_000_123_456 + Int64(seq))
            let payload = template.render(.init(deviceID: "dev-7.x", seq: seq, now: at, uptimeSeconds: 5), generators: &generators)
            XCTAssertEqual(payload.count, 200)
            let fields = payload.withUnsafeBytes { reader.read($0) }
            XCTAssertEqual(fields?.seq, seq)
            XCTAssertEqual(fields?.timestampMicros, at.microseconds)
        }
        let foreign = Array(#"{"id":"dev","mode":"eco","v":"hot","seq":1}"#.utf8)
        XCTAssertNil(foreign.withUnsafeBytes { reader.read($0) }, "another shape is malformed, never a wrong number")
        XCTAssertNil(Array("".utf8).withUnsafeBytes { reader.read($0) })
    }

    func testTemplatesTheObserverCannotReadAreRefused() throws {
        func unreadable(_ text: String) -> Bool {
            guard let t = try? TelemetryTemplateText.compile(text) else { return false }
            do { _ = try TelemetryPayloadReader(t); return false } catch { return true }
        }
        XCTAssertTrue(unreadable("{id}{seq}"), "two generators side by side")
        XCTAssertTrue(unreadable("{int:0:9}1{seq}"), "a number followed by a digit")
        XCTAssertTrue(unreadable("{pad:9}x{ts}"))
        XCTAssertFalse(unreadable("{seq}{int:0:9}{int:0:9}"), "after the last {seq} or {ts} anything goes")
        XCTAssertNil(try TelemetryPayloadReader(try TelemetryTemplateText.compile("{int:0:9}")), "nothing to read: counted only")
    }

    func testShorthandIsReadableAndPaddedToItsSize() throws {
        let s = try FleetTelemetryStream.shorthand(every: .seconds(1), bytes: 256)
        XCTAssertEqual(s.topic.text, "device/{id}/telemetry")
        XCTAssertEqual(s.payload.paddedLength, 256)
        XCTAssertNotNil(try TelemetryPayloadReader(s.payload))
        XCTAssertEqual(TelemetryShorthand.topic(beside: try TopicLayout(prefix: "tenants/acme")), "tenants/acme/{id}/telemetry")
        let idLast = TopicLayout(status: try TopicTemplate("s/{id}"), ota: try TopicTemplate("o/{id}"), logs: try TopicTemplate("l/{id}"))
        XCTAssertEqual(TelemetryShorthand.topic(beside: idLast), "s/{id}/telemetry")
    }
}
