import ArgumentParser
import Foundation
import SimFleet

/// `simfleet merge shard-*.json -o run.json [--html run.html]`: one report for a sharded run.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the reports of a sharded run into the report of the whole run, and judge its expectations.",
        discussion: """
            Counters add, latency histograms merge bucket by bucket (percentiles of the whole run), time series \
            line up on the wall clock, and the scenario's expectations are evaluated on the merged report \
            (docs/scale-out.md; how each key merges: docs/report-format.md).

            Exit status: 0 every expectation held, 1 an expectation failed (as `simfleet run`), 2 the reports \
            cannot be merged: unreadable, not shard reports, shards of different scenarios, seeds or shard counts, \
            or a shard missing or given twice.
            """)

    @Argument(help: "The shard reports (every shard of one run, in any order).")
    var reports: [String] = []

    @Option(name: .shortAndLong, help: "Where to write the merged JSON report.")
    var output: String

    @Option(help: "Where to write the HTML report (default: the output with .html).")
    var html: String?

    func fail(_ message: String) -> ExitCode {
        StandardStream.error.write("simfleet merge: " + message + "\n")
        return ExitCode(2)
    }

    func run() throws {
        let started = Date()
        var inputs: [ReportMerge.Input] = []
        for path in reports {
            guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read " + path) }
            inputs.append(ReportMerge.Input(name: path, bytes: Array(data)))
        }
        let outcome: ReportMerge.Outcome
        do { outcome = try ReportMerge.merge(inputs) } catch { throw fail(error.description) }
        let htmlPath = html ?? (output.hasSuffix(".json") ? String(output.dropLast(5)) : output) + ".html"
        do {
            try outcome.json.write(toFile: output, atomically: true, encoding: .utf8)
            try HTMLReport(report: outcome.document).render().write(toFile: htmlPath, atomically: true, encoding: .utf8)
        } catch {
            throw fail("cannot write the merged report: " + String(describing: error))
        }
        let seconds = Date().timeIntervalSince(started)
        print("merged " + String(outcome.shards) + " shards, " + String(outcome.devices) + " devices, in "
              + String(printf: "%.3f", seconds) + " s")
        if !outcome.unmergeable.isEmpty {
            print("not rebuilt from the parts (null): " + outcome.unmergeable.joined(separator: ", "))
        }
        print("expectations:")
        for r in outcome.results { print((r.passed ? "  ✔ " : "  ✘ ") + r.expression + " — measured " + r.measured) }
        print("wrote " + output + " and " + htmlPath)
        guard outcome.passed else {
            for r in outcome.results where !r.passed {
                StandardStream.error.write("simfleet merge: expectation failed: " + r.expression + " (measured "
                                            + r.measured + ")\n")
            }
            throw ExitCode(1)
        }
    }
}
