import TripletCore

extension Conv2D {
    /// The backward pass after a forward with `epilogue`: `gradOutput` is dL/d(epilogue output); the ReLU
    /// mask and the pooling argmax come from the forward's record.
    func backward(_ gradOutput: Tensor, inputGradient: Bool, epilogue: ConvEpilogue) throws -> Tensor? {
        guard let cache, cache.epilogue == epilogue else {
            throw TripletError.invalidParameter(
                name: "\(name) backward", value: "before any training-mode forward",
                expected: "a forward(_:training: true) first")
        }
        let g = cache.geometry
        let input = cache.input
        let n = input.shape[0]
        let shape = try outputShape(g, batch: n, epilogue)
        _ = try ShapeCheck.gradient(gradOutput, matches: shape, layer: name)
        let (o, kk, p) = (outChannels, g.columnRows, g.columnCount)
        let (workers, group) = plan(g, batch: n)
        let cols = columns.reserve(workers * kk * group * p)
        let dys = products.reserve(workers * o * group * p)
        let dcols = inputGradient ? columnGradients.reserve(workers * kk * group * p) : nil
        let dws = weightGradients.reserve(workers * o * kk, zeroed: true)
        let dbs = biasGradients.reserve(workers * o, zeroed: true)
        let pooledSize = shape[2] * shape[3]
        let argmax = poolIndices.current  // written by the forward pass
        let mask = cache.output ?? gradOutput
        let body = { (dx: UnsafeMutablePointer<Float>?) in
            input.scalars.withUnsafeBufferPointer { x in
                gradOutput.scalars.withUnsafeBufferPointer { dy in
                    mask.scalars.withUnsafeBufferPointer { y in
                        self.weight.value.scalars.withUnsafeBufferPointer { w in
                            let (x, dy, y, w) = (x.baseAddress!, dy.baseAddress!, y.baseAddress!, w.baseAddress!)
                            Parallel.forEachChunk(workers, threads: workers, chunksPerThread: 1) { chunk in
                                for worker in chunk {
                                    let (col, dyg) = (cols + worker * kk * group * p, dys + worker * o * group * p)
                                    let (dw, db) = (dws + worker * o * kk, dbs + worker * o)
                                    var first = worker * n / workers
                                    let end = (worker + 1) * n / workers
                                    while first < end {
                                        let count = min(group, end - first)
                                        let width = count * p
                                        if case .reluPool = epilogue { dyg.update(repeating: 0, count: o * width) }
                                        for i in 0..<count {
                                            g.im2col(x + (first + i) * g.imageSize, col + i * p, ldc: width)
                                            for channel in 0..<o {
                                                let target = dyg + channel * width + i * p
                                                let at = (first + i) * o + channel
                                                switch epilogue {
                                                case .none:
                                                    target.update(from: dy + at * p, count: p)
                                                case .relu:
                                                    Kernels.reluBackward(y + at * p, dy + at * p, target, 0..<p)
                                                case .reluPool:
                                                    // Each pooled gradient goes to its window's maximum, if positive.
                                                    let base = at * pooledSize
                                                    for q in base..<(base + pooledSize) {
                                                        target[Int(argmax[q])] += y[q] > 0 ? dy[q] : 0
                                                    }
                                                }
                                            }
                                        }
                                        BLAS.gemm(
                                            transposeA: false, transposeB: true, m: o, n: kk, k: width, alpha: 1,
                                            a: dyg, lda: width, b: col, ldb: width, beta: 1, c: dw, ldc: kk)
                                        for channel in 0..<o {
                                            db[channel] += VectorMath.sum(dyg + channel * width, width)
                                        }
                                        if let dx, let dcols {
                                            let dcol = dcols + worker * kk * group * p
                                            BLAS.gemm(
                                                transposeA: true, transposeB: false, m: kk, n: width, k: o, alpha: 1,
                                                a: w, lda: kk, b: dyg, ldb: width, beta: 0, c: dcol, ldc: width)
                                            for i in 0..<count {
                                                let dxi = dx + (first + i) * g.imageSize
                                                dxi.update(repeating: 0, count: g.imageSize)
                                                g.col2imAdding(dcol + i * p, ldc: width, dxi)
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
        }
        var gradInput: Tensor?
        if inputGradient {
            gradInput = Tensor.filled(input.shape) { body($0.baseAddress!) }
        } else {
            body(nil)
        }
        weight.gradient.scalars.withUnsafeMutableBufferPointer { total in
            for worker in 0..<workers {
                for i in 0..<(o * kk) { total[i] += dws[worker * o * kk + i] }
            }
        }
        bias?.gradient.scalars.withUnsafeMutableBufferPointer { total in
            for worker in 0..<workers {
                for i in 0..<o { total[i] += dbs[worker * o + i] }
            }
        }
        return gradInput
    }
}
