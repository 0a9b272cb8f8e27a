import TripletCore

extension Conv2D {
    /// The geometry for `input`, or an error naming the layer and the shape it needs.
    func geometry(for input: Tensor) throws -> ConvGeometry {
        try ShapeCheck.images(input, channels: inChannels, layer: name)
        guard input.shape[2] + 2 * padding >= kernel, input.shape[3] + 2 * padding >= kernel else {
            throw TripletError.shapeMismatch(
                expected: "images of at least \(kernel - 2 * padding)×\(kernel - 2 * padding) for \(name)",
                got: input.shape)
        }
        return ConvGeometry(
            channels: inChannels, height: input.shape[2], width: input.shape[3], kernel: kernel, stride: stride,
            padding: padding)
    }

    /// Workers and images per GEMM for a batch of `n`.
    func plan(_ g: ConvGeometry, batch n: Int) -> (workers: Int, group: Int) {
        let workers = max(1, min(threads, n))
        let share = (n + workers - 1) / workers
        return (workers, max(1, min(share, columnBudget / max(1, g.columnRows * g.columnCount))))
    }

    /// The output shape of `epilogue` after a convolution of geometry `g` over `n` images.
    func outputShape(_ g: ConvGeometry, batch n: Int, _ epilogue: ConvEpilogue) throws -> [Int] {
        guard case .reluPool(let k, let s) = epilogue else { return [n, outChannels, g.outHeight, g.outWidth] }
        guard g.outHeight >= k, g.outWidth >= k else {
            throw TripletError.shapeMismatch(
                expected: "[N, C, H, W] with H, W >= \(k) for MaxPool2D(k \(k), s \(s))",
                got: [n, outChannels, g.outHeight, g.outWidth])
        }
        return [n, outChannels, (g.outHeight - k) / s + 1, (g.outWidth - k) / s + 1]
    }

    /// The convolution of `input`, then `epilogue` on each block of output while it is in cache.
    func forward(_ input: Tensor, training: Bool, epilogue: ConvEpilogue) throws -> Tensor {
        let g = try geometry(for: input)
        let n = input.shape[0]
        let shape = try outputShape(g, batch: n, epilogue)
        cache = nil
        let (o, kk, p) = (outChannels, g.columnRows, g.columnCount)
        let (workers, group) = plan(g, batch: n)
        let cols = columns.reserve(workers * kk * group * p)
        let ys = products.reserve(workers * o * group * p + 16)  // + 16: pooling may read past a plane
        let pooledSize = shape[2] * shape[3]
        let window: PoolWindow? = {
            guard case .reluPool(let k, let s) = epilogue else { return nil }
            return PoolWindow(height: g.outHeight, width: g.outWidth, kernel: k, stride: s)
        }()
        let argmax = window == nil ? nil : poolIndices.reserve(n * o * pooledSize)
        let biasValues = bias?.value.scalars ?? [Float](repeating: 0, count: o)
        let output = Tensor.filled(shape) { out in
            let out = out.baseAddress!
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    biasValues.withUnsafeBufferPointer { b in
                        let (x, w, b) = (x.baseAddress!, w.baseAddress!, b.baseAddress!)
                        Parallel.forEachChunk(workers, threads: workers, chunksPerThread: 1) { chunk in
                            for worker in chunk {
                                let (col, y) = (cols + worker * kk * group * p, ys + worker * o * group * p)
                                var first = worker * n / workers
                                let end = (worker + 1) * n / workers
                                while first < end {
                                    let count = min(group, end - first)
                                    let width = count * p
                                    for i in 0..<count {
                                        g.im2col(x + (first + i) * g.imageSize, col + i * p, ldc: width)
                                    }
                                    BLAS.gemm(
                                        transposeA: false, transposeB: false, m: o, n: width, k: kk, alpha: 1,
                                        a: w, lda: kk, b: col, ldb: width, beta: 0, c: y, ldc: width)
                                    for i in 0..<count {
                                        for channel in 0..<o {
                                            let plane = y + channel * width + i * p
                                            let at = (first + i) * o + channel
                                            if let window, let argmax {
                                                Kernels.add(plane, b[channel], plane, count: p, relu: true)
                                                window.pool(
                                                    plane, out + at * pooledSize, argmax + at * pooledSize,
                                                    overread: true)
                                            } else {
                                                Kernels.add(
                                                    plane, b[channel], out + at * p, count: p,
                                                    relu: epilogue == .relu)
                                            }
                                        }
                                    }
                                    first += count
                                }
                            }
                        }
                    }
                }
            }
        }
        if training {
            cache = ConvCache(input: input, geometry: g, epilogue: epilogue, output: epilogue == .none ? nil : output)
        }
        return output
    }
}
