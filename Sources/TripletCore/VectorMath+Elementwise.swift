// Eight-lane elementwise kernels for the hot loops (GELU, attention's softmax): e^x and the normal
// distribution's CDF and density without a libm call per element.
extension VectorMath {
    /// Eight floats.
    package typealias Lanes = SIMD8<Float>

    /// e^x lane by lane: x = n·ln 2 + r with |r| ≤ ½ ln 2 (n rounded by adding 1.5·2²³, whose bits then hold
    /// n; ln 2 split in two for an exact product), a degree-7 polynomial for e^r (Cephes' expf
    /// coefficients), 2^n from the exponent bits. Relative error of a few units in the last place; inputs
    /// are clamped to [−87.3, 88.3] (e^−87.3 ≈ 1.2e−38).
    @inlinable @inline(__always) package static func exp(_ x: Lanes) -> Lanes {
        let (lower, upper) = (Lanes(repeating: -87.3), Lanes(repeating: 88.3))
        let x = x.replacing(with: lower, where: x .< lower).replacing(with: upper, where: x .> upper)
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = Lanes(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 0.166_666_655
        p = p * r + 0.500_000_01
        p = p * (r * r) + r + 1
        let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- (0x4B40_0000 - 127)) &<< 23
        return p * unsafeBitCast(exponent, to: Lanes.self)
    }

    /// Φ(x) and φ(x) = e^(−x²/2) / √(2π) of the standard normal distribution, lane by lane. erf is
    /// Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e−7, the approximation PyTorch's vectorised erf
    /// uses), and its e^(−x²/2) is φ's: Φ(−|x|) = ½·poly(t)·e^(−x²/2) with t = 1 / (1 + 0.3275911·|x|/√2), so
    /// that the lower tail is computed without cancellation.
    @inlinable @inline(__always) package static func normal(_ x: Lanes) -> (cdf: Lanes, density: Lanes) {
        let z = x.replacing(with: -x, where: x .< 0) * 0.707_106_77
        let t = 1 / (1 + 0.327_591_1 * z)
        var poly = 1.061_405_43 * t - 1.453_152_03
        poly = poly * t + 1.421_413_74
        poly = poly * t - 0.284_496_74
        poly = poly * t + 0.254_829_59
        poly *= t
        let e = exp(-(z * z))
        let lower = 0.5 * poly * e
        return (lower.replacing(with: 1 - lower, where: x .>= 0), e * 0.398_942_28)
    }

    /// out[i] = body(x[i]) eight elements at a time (the last run padded with zeros, their results dropped).
    @inlinable @inline(__always) package static func map(
        _ count: Int, _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ body: (Lanes) -> Lanes
    ) {
        map(count, x, x, into: out) { v, _ in body(v) }
    }

    /// out[i] = body(x[i], y[i]) eight elements at a time (the last run padded with zeros, their results
    /// dropped).
    @inlinable @inline(__always) package static func map(
        _ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
        _ body: (Lanes, Lanes) -> Lanes
    ) {
        var i = 0
        while i + 8 <= count {
            let result = body(
                UnsafeRawPointer(x + i).loadUnaligned(as: Lanes.self),
                UnsafeRawPointer(y + i).loadUnaligned(as: Lanes.self))
            UnsafeMutableRawPointer(out + i).storeBytes(of: result, as: Lanes.self)
            i += 8
        }
        guard i < count else { return }
        var (u, v) = (Lanes(), Lanes())
        for j in 0..<(count - i) { (u[j], v[j]) = (x[i + j], y[i + j]) }
        let result = body(u, v)
        for j in 0..<(count - i) { out[i + j] = result[j] }
    }
}
