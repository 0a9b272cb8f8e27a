/// Small SIMD kernels over raw rows, shared by the distance and loss code.
enum VectorMath {
    /// Σₖ (a[k] − b[k])², summed in a fixed order so that the result is symmetric in a and b.
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var k = 0
        while k + 8 <= n {
            let d =
                UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self)
                - UnsafeRawPointer(b + k).loadUnaligned(as: SIMD8<Float>.self)
            acc += d * d
            k += 8
        }
        var sum = acc.sum()
        while k < n {
            let d = a[k] - b[k]
            sum += d * d
            k += 1
        }
        return sum
    }

    /// Σₖ a[k]·b[k], summed in a fixed order so that the result is symmetric in a and b.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var k = 0
        while k + 8 <= n {
            acc +=
                UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + k).loadUnaligned(as: SIMD8<Float>.self)
            k += 8
        }
        var sum = acc.sum()
        while k < n {
            sum += a[k] * b[k]
            k += 1
        }
        return sum
    }

    /// Σₖ a[k], in SIMD lanes.
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var k = 0
        while k + 8 <= n {
            acc += UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self)
            k += 8
        }
        var total = acc.sum()
        while k < n {
            total += a[k]
            k += 1
        }
        return total
    }

    /// y[k] += alpha · x[k].
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for k in 0..<n { y[k] += alpha * x[k] }
    }
}
