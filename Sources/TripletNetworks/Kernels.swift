import TripletCore

/// Small vectorised loops shared by the layers.
enum Kernels {
    /// sums[j] += Σ_i m[i, j] for a row-major rows × columns matrix.
    static func addColumnSums(
        _ m: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<rows {
            let row = m + i * columns
            for j in 0..<columns { sums[j] += row[j] }
        }
    }

    /// out[i] = max(x[i], 0) (NaN stays NaN) for i in `range`.
    static func relu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            let v = load16(x + i)
            store16(v.replacing(with: 0, where: v .< 0), out + i)
            i += 16
        }
        while i < range.upperBound {
            out[i] = x[i] < 0 ? 0 : x[i]
            i += 1
        }
    }

    /// dx[i] = y[i] > 0 ? dy[i] : 0 for i in `range`.
    static func reluBackward(
        _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>
    ) {
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            store16(load16(dy + i).replacing(with: 0, where: load16(y + i) .<= 0), dx + i)
            i += 16
        }
        while i < range.upperBound {
            dx[i] = y[i] > 0 ? dy[i] : 0
            i += 1
        }
    }

    /// out[i] = a[i]·b[i] for i < count.
    static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 16 <= count {
            store16(load16(a + i) * load16(b + i), out + i)
            i += 16
        }
        while i < count {
            out[i] = a[i] * b[i]
            i += 1
        }
    }

    /// out[i] = x[i] + c, or max(x[i] + c, 0) when `relu`, for i < count.
    static func add(
        _ x: UnsafePointer<Float>, _ c: Float, _ out: UnsafeMutablePointer<Float>, count: Int, relu: Bool = false
    ) {
        var i = 0
        while i + 16 <= count {
            let v = load16(x + i) + c
            store16(relu ? v.replacing(with: 0, where: v .< 0) : v, out + i)
            i += 16
        }
        while i < count {
            let v = x[i] + c
            out[i] = relu && v < 0 ? 0 : v
            i += 1
        }
    }

    /// dst[i] = src[i] for i < count: short rows (im2col) without a call to memmove.
    @inline(__always) static func copy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        @inline(__always) func move8(_ i: Int) {
            UnsafeMutableRawPointer(dst + i).storeBytes(
                of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        }
        guard count >= 8 else {
            for i in 0..<count { dst[i] = src[i] }
            return
        }
        var i = 0
        while i &+ 8 <= count {
            move8(i)
            i &+= 8
        }
        if i < count { move8(count &- 8) }  // the last eight again, overlapping: no scalar tail
    }

    /// dst[i] += src[i] for i < count (col2im rows).
    @inline(__always) static func accumulate(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 8 <= count {
            let sum =
                UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dst[i] += src[i]
            i += 1
        }
    }

    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
