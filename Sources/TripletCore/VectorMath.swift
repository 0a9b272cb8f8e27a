/// Small SIMD kernels over raw rows, shared by the package's modules.
package enum VectorMath {
    /// Σₖ (a[k] − b[k])², summed in a fixed order so that the result is symmetric in a and b.
    @inlinable @inline(__always)
    package static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
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
    @inlinable @inline(__always)
    package static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
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
    @inlinable @inline(__always)
    package static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
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

    /// Σₖ (a[k] − mean)², in SIMD lanes.
    @inlinable @inline(__always)
    package static func centredSquares(_ a: UnsafePointer<Float>, mean: Float, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        let m = SIMD8<Float>(repeating: mean)
        var k = 0
        while k + 8 <= n {
            let d = UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self) - m
            acc += d * d
            k += 8
        }
        var total = acc.sum()
        while k < n {
            let d = a[k] - mean
            total += d * d
            k += 1
        }
        return total
    }

    /// y[k] += alpha · x[k].
    @inlinable @inline(__always)
    package static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for k in 0..<n { y[k] += alpha * x[k] }
    }
}
