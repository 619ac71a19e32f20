import Foundation

/// Wall-clock medians of repeated runs, measured with the monotonic clock.
struct Stopwatch {
    let runs: Int

    /// Runs `body` once to warm up, then `runs` times; returns every duration in milliseconds.
    func measure(_ body: () throws -> Void) rethrows -> [Double] {
        try body()
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        return samples
    }
}

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

func ms(_ value: Double) -> String { String(format: "%.3f", value) }
