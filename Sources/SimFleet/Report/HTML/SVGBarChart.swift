/// An inline SVG bar chart of a histogram: one bar per bucket, labelled by its upper bound.
struct SVGBarChart {
    var title: String
    var xLabel: String
    var labels: [String]
    var counts: [Double]
    var color = "#4f7cff"
    var width = 540.0
    var height = 260.0

    func render() -> String {
        guard !counts.isEmpty, counts.contains(where: { $0 > 0 }) else {
            return "<div class=\"chart empty\"><h3>" + HTMLText.escape(title) + "</h3><p>No samples in this report.</p></div>"
        }
        let left = 52.0, right = 14.0, top = 16.0, bottom = 40.0
        let plotW = width - left - right, plotH = height - top - bottom
        let ys = ChartScale(min: 0, max: counts.max() ?? 1)
        let slot = plotW / Double(counts.count)
        let labelEvery = max(1, Int((Double(counts.count) / 10).rounded(.up)))
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"" + HTMLText.escape(title) + "\">"
        for t in ys.ticks {
            let y = HTMLText.coordinate(top + plotH - ys.position(t, length: plotH))
            svg += "<line class=\"grid\" x1=\"\(Int(left))\" x2=\"\(Int(left + plotW))\" y1=\"" + y + "\" y2=\"" + y + "\"/>"
            svg += "<text class=\"tick\" x=\"\(Int(left - 6))\" y=\"" + y + "\" text-anchor=\"end\" dominant-baseline=\"middle\">"
                + ChartScale.label(t) + "</text>"
        }
        for (i, count) in counts.enumerated() {
            let h = ys.position(count, length: plotH)
            let x = left + Double(i) * slot + slot * 0.1
            svg += "<rect fill=\"" + color + "\" x=\"" + HTMLText.coordinate(x) + "\" y=\"" + HTMLText.coordinate(top + plotH - h)
                + "\" width=\"" + HTMLText.coordinate(slot * 0.8) + "\" height=\"" + HTMLText.coordinate(h) + "\"><title>≤ "
                + HTMLText.escape(labels[i]) + ": " + ChartScale.label(count) + "</title></rect>"
            if i % labelEvery == 0 {
                svg += "<text class=\"tick\" x=\"" + HTMLText.coordinate(x + slot * 0.4) + "\" y=\"\(Int(top + plotH + 16))\" "
                    + "text-anchor=\"middle\">" + HTMLText.escape(labels[i]) + "</text>"
            }
        }
        svg += "<line class=\"axis\" x1=\"\(Int(left))\" x2=\"\(Int(left + plotW))\" y1=\"\(Int(top + plotH))\" y2=\"\(Int(top + plotH))\"/>"
        svg += "<text class=\"label\" x=\"\(Int(left + plotW / 2))\" y=\"\(Int(height - 4))\" text-anchor=\"middle\">"
            + HTMLText.escape(xLabel) + "</text></svg>"
        return "<div class=\"chart\"><h3>" + HTMLText.escape(title) + "</h3>" + svg + "</div>"
    }
}
