import Foundation

/// Maps a data interval onto a pixel interval, with "nice" ticks (1, 2 or 5 × 10ⁿ apart) covering it.
struct LinearScale {
    /// The data interval (lower < upper).
    let domain: ClosedRange<Double>
    /// The pixel positions of `domain.lowerBound` and `domain.upperBound` (end < start for a y axis).
    let start: Double, end: Double
    /// The tick values, inside the domain.
    let ticks: [Double]
    /// The distance between ticks.
    let step: Double

    /// A scale for the values `lower...upper` widened to whole ticks (at most `count` + 1 of them) — or kept as it
    /// is with `exact` — and clamped to `bounds`; `integer` keeps ticks on whole numbers (epochs). A
    /// zero-width interval is widened first.
    init(
        _ lower: Double, _ upper: Double, to start: Double, _ end: Double, count: Int = 5, integer: Bool = false,
        exact: Bool = false, bounds: ClosedRange<Double>? = nil
    ) {
        let finite = lower.isFinite && upper.isFinite
        let (dataLower, dataUpper) = finite ? (min(lower, upper), max(lower, upper)) : (0.0, 1.0)
        var (lo, hi) = (dataLower, dataUpper)
        if hi - lo <= 1e-12 * max(1, abs(hi)) {
            let pad = integer ? 1 : max(abs(lo) * 0.05, 0.05)
            (lo, hi) = (lo - pad, hi + pad)
        }
        let raw = (hi - lo) / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let normalized = raw / magnitude
        var step = (normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10) * magnitude
        if integer { step = max(1, step.rounded()) }
        var domainLower = exact ? lo : floor(lo / step + 1e-9) * step
        var domainUpper = exact ? hi : ceil(hi / step - 1e-9) * step
        if let bounds {
            domainLower = max(domainLower, min(bounds.lowerBound, dataLower))
            domainUpper = min(domainUpper, max(bounds.upperBound, dataUpper))
        }
        domain = domainLower...max(domainUpper, domainLower + step)
        self.start = start
        self.end = end
        self.step = step
        var ticks: [Double] = []
        let first = ceil(domain.lowerBound / step - 1e-9)
        var k = 0.0
        while (first + k) * step <= domain.upperBound + step * 1e-9 && k < 100 {
            let t = (first + k) * step
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            k += 1
        }
        self.ticks = ticks
    }

    /// The pixel position of `value`.
    func callAsFunction(_ value: Double) -> Double {
        start + (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound) * (end - start)
    }

    /// A tick label with as many decimals as the step needs.
    func label(_ value: Double) -> String {
        let decimals = max(0, min(6, Int(-floor(log10(step) + 1e-9))))
        return String(format: "%.\(decimals)f", value)
    }
}
