/// The sizes of one 2-D convolution or pooling window sweep and its im2col / col2im transforms.
///
/// The column matrix of one image is channel-major, [C·k·k, Ho·Wo]: row (c, ky, kx) holds, for every
/// output position (oy, ox), the input x[c, oy·s + ky − p, ox·s + kx − p] (0 in the padding).
struct ConvGeometry: Equatable {
    let channels: Int
    let height: Int
    let width: Int
    let kernel: Int
    let stride: Int
    let padding: Int

    /// Output height, ⌊(H + 2p − k) / s⌋ + 1.
    var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    /// Output width, ⌊(W + 2p − k) / s⌋ + 1.
    var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// Rows of the column matrix, C·k·k.
    var columnRows: Int { channels * kernel * kernel }
    /// Columns of the column matrix, Ho·Wo.
    var columnCount: Int { outHeight * outWidth }
    /// Elements of one input image, C·H·W.
    var imageSize: Int { channels * height * width }

    /// The output columns ox whose input column ox·s + offset lies inside [0, W).
    private func validColumns(offset: Int) -> Range<Int> {
        // ox·s + offset >= 0  ⇔  ox >= ⌈−offset / s⌉;  ox·s + offset <= W − 1  ⇔  ox <= ⌊(W − 1 − offset) / s⌋.
        let lo = max(0, ceilDiv(-offset, stride))
        let hi = min(outWidth, floorDiv(width - 1 - offset, stride) + 1)
        return lo..<max(lo, hi)
    }

    /// Writes the column matrix of one image `x` ([C, H, W]) into `col` ([C·k·k, Ho·Wo], rows `ldc` apart).
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ldc: Int) {
        let (ho, wo) = (outHeight, outWidth)
        if stride == 1 && padding == 0 {
            // Every window lies inside the image: each row of the column matrix is Ho slices of Wo inputs.
            for c in 0..<channels {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        let row = col + ((c &* kernel &+ ky) &* kernel &+ kx) &* ldc
                        let src = x + ((c &* height &+ ky) &* width &+ kx)
                        for oy in 0..<ho { Kernels.copy(src + oy &* width, row + oy &* wo, count: wo) }
                    }
                }
            }
            return
        }
        for c in 0..<channels {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = col + ((c * kernel + ky) * kernel + kx) * ldc
                    let offset = kx - padding
                    let valid = validColumns(offset: offset)
                    for oy in 0..<ho {
                        let out = row + oy * wo
                        let iy = oy * stride + ky - padding
                        guard iy >= 0, iy < height, !valid.isEmpty else {
                            out.update(repeating: 0, count: wo)
                            continue
                        }
                        let src = x + (c * height + iy) * width + offset
                        if valid.lowerBound > 0 { out.update(repeating: 0, count: valid.lowerBound) }
                        if stride == 1 {
                            Kernels.copy(src + valid.lowerBound, out + valid.lowerBound, count: valid.count)
                        } else {
                            for ox in valid { out[ox] = src[ox * stride] }
                        }
                        if valid.upperBound < wo {
                            (out + valid.upperBound).update(repeating: 0, count: wo - valid.upperBound)
                        }
                    }
                }
            }
        }
    }

    /// Adds the column matrix `col` ([C·k·k, Ho·Wo], rows `ldc` apart) back into the image gradient `dx`
    /// ([C, H, W]), which the caller has initialised: each input position receives the sum over the
    /// windows that read it.
    func col2imAdding(_ col: UnsafePointer<Float>, ldc: Int, _ dx: UnsafeMutablePointer<Float>) {
        let (ho, wo) = (outHeight, outWidth)
        if stride == 1 && padding == 0 {
            for c in 0..<channels {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        let row = col + ((c &* kernel &+ ky) &* kernel &+ kx) &* ldc
                        let dst = dx + ((c &* height &+ ky) &* width &+ kx)
                        for oy in 0..<ho { Kernels.accumulate(row + oy &* wo, dst + oy &* width, count: wo) }
                    }
                }
            }
            return
        }
        for c in 0..<channels {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = col + ((c * kernel + ky) * kernel + kx) * ldc
                    let offset = kx - padding
                    let valid = validColumns(offset: offset)
                    guard !valid.isEmpty else { continue }
                    for oy in 0..<ho {
                        let iy = oy * stride + ky - padding
                        guard iy >= 0, iy < height else { continue }
                        let src = row + oy * wo
                        let dst = dx + (c * height + iy) * width + offset
                        if stride == 1 {
                            Kernels.accumulate(src + valid.lowerBound, dst + valid.lowerBound, count: valid.count)
                        } else {
                            for ox in valid { dst[ox * stride] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}

/// ⌊a / b⌋ for b > 0.
@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
/// ⌈a / b⌉ for b > 0.
@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }
