import ArgumentParser
import Foundation
import SimFleet

/// `simfleet validate FILE…`: checks scenario files without running them.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files without running them.",
        discussion: """
        Exits 0 when every file is a valid scenario, 2 when one is not, printing
        FILE:LINE:COLUMN: what is wrong (the key, the value, what was expected).
        With --plan, also prints the seeded plan: device ids and each step's targets.
        With --runnable, also fails (exit 2) for steps this build's runtime cannot execute yet,
        and for what simfleet run would refuse before starting (topics, {env:…} credentials).
        """)

    @Argument(help: "Scenario YAML files.")
    var files: [String]

    @Flag(help: "Print the plan (device ids, cohorts, fault targets) computed from the seed.")
    var plan = false

    @Flag(help: "Also check that this build's runtime can execute every step (simfleet run refuses the rest).")
    var runnable = false

    func run() throws {
        var failed = false
        for file in files {
            do {
                let scenario = try ScenarioLoader.load(path: file)
                var missing = runnable ? RuntimeSupport.unsupported(scenario) : []
                if runnable && missing.isEmpty {
                    // The rest of the plan's pass: the broker URL, the topic layout for every device,
                    // {env:…} credentials, ids: what `simfleet run` checks before it starts anything.
                    do { _ = try ScenarioFleet.configuration(scenario) } catch { missing.append(error) }
                }
                print(file + (missing.isEmpty ? ": ok — " : ": valid, but not runnable yet — ") + String(scenario.deviceCount)
                      + " devices in " + String(scenario.fleet.count) + " group(s), " + String(scenario.timeline.count)
                      + " steps, " + String(scenario.expectations.count) + " expectations")
                if plan { printPlan(ScenarioPlan(scenario), scenario) }
                for error in missing { StandardStream.error.write(error.description + "\n") }
                if !missing.isEmpty { failed = true }
            } catch {
                StandardStream.error.write(error.description + "\n")
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
    }

    func printPlan(_ plan: ScenarioPlan, _ scenario: Scenario) {
        let ids = plan.devices.map(\.id)
        print("  devices: " + (ids.count <= 6 ? ids.joined(separator: ", ")
                               : ids.prefix(3).joined(separator: ", ") + " … " + ids.suffix(2).joined(separator: ", ")))
        for (i, step) in plan.steps.enumerated() where !step.targets.isEmpty {
            let targets = plan.targetIDs(ofStep: i)
            let shown = targets.count <= 5 ? targets.joined(separator: ", ") : targets.prefix(5).joined(separator: ", ") + " …"
            print("  step " + String(i + 1) + " " + step.kind + ": " + String(targets.count) + " device(s): " + shown)
        }
    }
}
