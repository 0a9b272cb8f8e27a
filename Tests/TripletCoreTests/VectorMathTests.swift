import Foundation
import Testing
import TripletCore

/// The eight-lane kernels against libm in double precision, on a fine grid and at the ends of their ranges.
@Suite("Vector math")
struct VectorMathTests {
    /// Every float on a grid of step 1/1024 over [lower, upper), eight lanes at a time.
    func grid(_ lower: Float, _ upper: Float) -> [VectorMath.Lanes] {
        stride(from: lower, to: upper, by: 8.0 / 1024).map { start in
            VectorMath.Lanes((0..<8).map { start + Float($0) / 1024 })
        }
    }

    @Test func expIsWithinFourUnitsInTheLastPlace() {
        var worst: Double = 0
        for x in grid(-87, 88) {
            let y = VectorMath.exp(x)
            for lane in 0..<8 {
                let exact = Foundation.exp(Double(x[lane]))
                worst = max(worst, abs(Double(y[lane]) - exact) / (exact * Double(Float.ulpOfOne)))
            }
        }
        #expect(worst <= 4, "worst error \(worst) ulp")
        let ends = VectorMath.exp(VectorMath.Lanes(-1000, -88, 0, 1, -1, 89, 1000, -.infinity))
        #expect(ends[0] >= 0 && ends[0] < 1e-37 && ends[1] < 1e-37 && ends[2] == 1)
        #expect(abs(ends[3] - Float(M_E)) <= Float(M_E).ulp && ends[5].isFinite && ends[6].isFinite)
        #expect(ends[7] >= 0 && ends[7] < 1e-37)
    }

    @Test func normalCDFIsWithinItsBoundAndTheDensityExact() {
        var (cdfError, densityError): (Double, Double) = (0, 0)
        for x in grid(-12, 12) {
            let (cdf, density) = VectorMath.normal(x)
            for lane in 0..<8 {
                let v = Double(x[lane])
                cdfError = max(cdfError, abs(Double(cdf[lane]) - 0.5 * (1 + erf(v / 2.0.squareRoot()))))
                let exactDensity = Foundation.exp(-v * v / 2) / (2 * Double.pi).squareRoot()
                if abs(v) <= 6 {
                    densityError = max(densityError, abs(Double(density[lane]) - exactDensity) / exactDensity)
                }
            }
        }
        // A&S 7.1.26 bounds erf's error by 1.5e−7, Φ's by half of it; float rounding near ½ adds up to 4 ulp.
        #expect(cdfError <= 3e-7, "Φ error \(cdfError)")
        // φ is the exp kernel of −x²/2, whose float rounding (relative 2⁻²⁴·x²/2 or so) the exponent amplifies.
        #expect(densityError <= 5e-6, "φ relative error for |x| ≤ 6: \(densityError)")
    }

    @Test func mapCoversEveryElementIncludingARaggedTail() {
        for count in [0, 1, 7, 8, 9, 23] {
            let x = (0..<count).map { Float($0) - 5 }, y = (0..<count).map { Float($0) * 2 }
            var out = [Float](repeating: .nan, count: count)
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    out.withUnsafeMutableBufferPointer { out in
                        guard
                            let (x, y, o) = x.baseAddress.flatMap({ a in y.baseAddress.map { (a, $0) } })
                                .flatMap({ p in out.baseAddress.map { (p.0, p.1, $0) } })
                        else { return }
                        VectorMath.map(count, x, y, into: o) { $0 + $1 }
                    }
                }
            }
            #expect(out == zip(x, y).map { $0 + $1 }, "count \(count)")
        }
    }
}
