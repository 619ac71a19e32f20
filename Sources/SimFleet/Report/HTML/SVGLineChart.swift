/// An inline SVG line chart of one or more series over time, with axes, gridlines and a legend.
struct SVGLineChart {
    struct Series {
        var name: String
        var color: String
        var values: [Double]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var x: [Double]
    var series: [Series]
    /// Fill the area under a single series.
    var filled = false
    var width = 540.0
    var height = 260.0

    func render() -> String {
        let left = 52.0, right = 14.0, top = 16.0, bottom = 40.0
        let plotW = width - left - right, plotH = height - top - bottom
        let allValues = series.flatMap(\.values)
        guard let xMax = x.last, x.count > 1, !allValues.isEmpty else {
            return "<div class=\"chart empty\"><h3>" + HTMLText.escape(title) + "</h3><p>No samples in this report.</p></div>"
        }
        let xs = ChartScale(min: x.first ?? 0, max: xMax, tight: true)
        let ys = ChartScale(min: allValues.min() ?? 0, max: allValues.max() ?? 1)
        func px(_ v: Double) -> Double { left + xs.position(v, length: plotW) }
        func py(_ v: Double) -> Double { top + plotH - ys.position(v, length: plotH) }
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"" + HTMLText.escape(title) + "\">"
        for t in ys.ticks {
            let y = HTMLText.coordinate(py(t))
            svg += "<line class=\"grid\" x1=\"\(Int(left))\" x2=\"\(Int(left + plotW))\" y1=\"" + y + "\" y2=\"" + y + "\"/>"
            svg += "<text class=\"tick\" x=\"\(Int(left - 6))\" y=\"" + y + "\" text-anchor=\"end\" dominant-baseline=\"middle\">"
                + ChartScale.label(t) + "</text>"
        }
        for t in xs.ticks {
            let xPos = HTMLText.coordinate(px(t))
            svg += "<text class=\"tick\" x=\"" + xPos + "\" y=\"\(Int(top + plotH + 16))\" text-anchor=\"middle\">"
                + ChartScale.label(t) + "</text>"
        }
        svg += "<line class=\"axis\" x1=\"\(Int(left))\" x2=\"\(Int(left + plotW))\" y1=\"\(Int(top + plotH))\" y2=\"\(Int(top + plotH))\"/>"
        svg += "<text class=\"label\" x=\"\(Int(left + plotW / 2))\" y=\"\(Int(height - 4))\" text-anchor=\"middle\">"
            + HTMLText.escape(xLabel) + "</text>"
        svg += "<text class=\"label\" transform=\"rotate(-90)\" x=\"\(-Int(top + plotH / 2))\" y=\"12\" text-anchor=\"middle\">"
            + HTMLText.escape(yLabel) + "</text>"
        for s in series {
            let points = zip(x, s.values).map { HTMLText.coordinate(px($0)) + "," + HTMLText.coordinate(py($1)) }
            if filled && series.count == 1, let firstX = x.first {
                let area = points.joined(separator: " ") + " " + HTMLText.coordinate(px(x[min(x.count, s.values.count) - 1]))
                    + "," + HTMLText.coordinate(py(ys.lower)) + " " + HTMLText.coordinate(px(firstX)) + "," + HTMLText.coordinate(py(ys.lower))
                svg += "<polygon class=\"area\" fill=\"" + s.color + "\" points=\"" + area + "\"/>"
            }
            svg += "<polyline class=\"line\" stroke=\"" + s.color + "\" points=\"" + points.joined(separator: " ") + "\"/>"
        }
        svg += "</svg>"
        var legend = ""
        if series.count > 1 {
            legend = "<div class=\"legend\">" + series.map {
                "<span><i style=\"background:" + $0.color + "\"></i>" + HTMLText.escape($0.name) + "</span>"
            }.joined() + "</div>"
        }
        return "<div class=\"chart\"><h3>" + HTMLText.escape(title) + "</h3>" + svg + legend + "</div>"
    }
}
