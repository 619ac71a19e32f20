import ArgumentParser
import Foundation
import SimFleet

/// `simfleet report run.json [-o run.html]`: renders a saved JSON report as self-contained HTML.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a saved JSON run report as a self-contained HTML page.",
        discussion: "The page has inline CSS and SVG charts, so it opens anywhere without a network.")

    @Argument(help: "A report written by `simfleet run --report FILE`.")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the HTML (default: the input with .html).")
    var output: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: input) else {
            StandardStream.error.write("simfleet: cannot read " + input + "\n")
            throw ExitCode(2)
        }
        let report: ReportDocument
        do {
            report = try ReportDocument(bytes: Array(data))
        } catch {
            StandardStream.error.write(input + ": " + error.description + "\n")
            throw ExitCode(2)
        }
        let target = output ?? (input.hasSuffix(".json") ? String(input.dropLast(5)) : input) + ".html"
        do {
            try Data(HTMLReport(report: report).render().utf8).write(to: URL(fileURLWithPath: target))
        } catch {
            StandardStream.error.write("simfleet: cannot write " + target + ": \(error)\n")
            throw ExitCode(2)
        }
        print("wrote " + target)
    }
}
