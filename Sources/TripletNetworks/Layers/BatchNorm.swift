import TripletCore

/// Batch normalisation, `nn.BatchNorm1d` on [N, F] and `nn.BatchNorm2d` on [N, C, H, W]:
/// y = γ·(x − μ) / √(σ² + eps) + β per feature (channel).
///
/// Training uses the batch's mean and biased variance and updates the running statistics with
/// `running = (1 − momentum)·running + momentum·batch`, the variance term unbiased (× n / (n − 1)) as in
/// PyTorch; evaluation uses the running statistics. Parameters "weight" (γ, ones) and "bias" (β, zeros);
/// buffers "running_mean" (zeros), "running_var" (ones) and "num_batches_tracked", a Float tensor of shape
/// [] (PyTorch keeps an int64 there; a safetensors file stores it as F32, and PyTorch's `load_state_dict`
/// converts it back).
///
/// When several processes share one batch (data parallelism), `statisticsSum` makes the layer a
/// `torch.nn.SyncBatchNorm`: the statistics and the backward sums are those of the whole batch.
public final class BatchNorm: Layer {
    /// The number of features (1-D) or channels (2-D).
    public let features: Int
    /// Added to the variance before the square root.
    public let eps: Float
    /// The weight of the new batch statistics in the running averages.
    public let momentum: Float
    /// Whether the layer normalises [N, C, H, W] images (BatchNorm2d) rather than [N, F] rows.
    public let spatial: Bool
    /// γ, [features].
    public let weight: Parameter
    /// β, [features].
    public let bias: Parameter
    /// The running mean, [features].
    public let runningMean: Parameter
    /// The running (unbiased) variance, [features].
    public let runningVar: Parameter
    /// The number of training batches seen, shape [].
    public let numBatchesTracked: Parameter
    /// Threads: the features are split across them.
    public var threads = 1
    /// Sums per-feature statistics (and sample counts) element-wise over the processes that share the
    /// batch, in place, so that training normalises with the whole batch's mean and variance and back-
    /// propagates through them (synchronised BatchNorm; `TripletDistributed.MPIExchange` sets it to an
    /// all-reduce). nil: this process's rows are the batch.
    public var statisticsSum: ((inout [Double]) throws -> Void)?

    private var normalized: Tensor?
    private var inverseStd: [Float] = []

    /// A batch-norm layer over `features` features (`spatial` false) or channels (`spatial` true).
    public init(features: Int, eps: Float = 1e-5, momentum: Float = 0.1, spatial: Bool) throws {
        guard features > 0, features <= Initializers.maximumParameterCount, eps > 0, eps.isFinite, momentum >= 0,
            momentum <= 1
        else {
            throw TripletError.invalidParameter(
                name: "BatchNorm", value: "features \(features), eps \(eps), momentum \(momentum)",
                expected: "features in 1...\(Initializers.maximumParameterCount), finite eps > 0, momentum in [0, 1]")
        }
        try Initializers.reserve([features], copies: 4, name: "BatchNorm features")
        (self.features, self.eps, self.momentum, self.spatial) = (features, eps, momentum, spatial)
        let ones = Tensor.filled([features]) { $0.update(repeating: 1) }
        let zeros = Tensor.filled([features]) { $0.update(repeating: 0) }
        weight = Parameter(name: "weight", value: ones)
        bias = Parameter(name: "bias", value: zeros)
        runningMean = Parameter(name: "running_mean", value: zeros)
        runningVar = Parameter(name: "running_var", value: ones)
        numBatchesTracked = Parameter(name: "num_batches_tracked", value: Tensor.filled([]) { $0[0] = 0 })
    }

    /// `.batchNorm1d` or `.batchNorm2d`.
    public var spec: LayerSpec {
        spatial
            ? .batchNorm2d(channels: features, eps: eps, momentum: momentum)
            : .batchNorm1d(features: features, eps: eps, momentum: momentum)
    }

    /// Registers the kinds "batchNorm1d" and "batchNorm2d" (one class, two PyTorch modules).
    static func register(in registry: inout LayerRegistry) {
        registry.register(kind: "batchNorm1d") { spec, _ in
            let c = try spec.configuration(as: BatchNorm1dConfiguration.self)
            return try BatchNorm(features: c.features, eps: c.eps, momentum: c.momentum, spatial: false)
        }
        registry.register(kind: "batchNorm2d") { spec, _ in
            let c = try spec.configuration(as: BatchNorm2dConfiguration.self)
            return try BatchNorm(features: c.channels, eps: c.eps, momentum: c.momentum, spatial: true)
        }
    }
    /// γ, then β.
    public var parameters: [Parameter] { [weight, bias] }
    /// running_mean, running_var, num_batches_tracked.
    public var buffers: [Parameter] { [runningMean, runningVar, numBatchesTracked] }

    private var name: String { spatial ? "BatchNorm2d(\(features))" : "BatchNorm1d(\(features))" }

    /// (N, per-feature stride within a sample, elements per sample and feature) of a valid input.
    private func layout(_ input: Tensor) throws -> (n: Int, inner: Int) {
        if spatial {
            try ShapeCheck.images(input, channels: features, layer: name)
            return (input.shape[0], input.shape[2] * input.shape[3])
        }
        try ShapeCheck.matrix(input, features: features, layer: name)
        return (input.shape[0], 1)
    }

    /// Normalises with batch statistics (training) or running statistics (evaluation).
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (n, inner) = try layout(input)
        let c = features
        var means = [Float](repeating: 0, count: c)
        var invStd = [Float](repeating: 0, count: c)
        var unbiased = [Float](repeating: 0, count: c)
        if training {
            // Two passes, each run in SIMD lanes, the runs summed in Double. Alone, both in one sweep over each
            // feature's runs (while they are in cache); with `statisticsSum`, each pass's sums (and the count)
            // are the whole batch's, so the second waits for the first's.
            let fused = statisticsSum == nil
            var sums = [Double](repeating: 0, count: c + 1)
            var squares = [Double](repeating: 0, count: c)
            sums[c] = Double(n * inner)
            let local = sums[c]
            input.scalars.withUnsafeBufferPointer { x in
                sums.withUnsafeMutableBufferPointer { sums in
                    squares.withUnsafeMutableBufferPointer { squares in
                        forEachFeature(count: input.scalars.count) { f in
                            sums[f] = sum(x, feature: f, n: n, inner: inner)
                            if fused {
                                squares[f] = centredSquares(
                                    x, feature: f, mean: Float(sums[f] / local), n: n, inner: inner)
                            }
                        }
                    }
                }
            }
            try statisticsSum?(&sums)
            let count = sums[c]
            guard count > 1 else {
                throw TripletError.shapeMismatch(
                    expected: "more than one value per feature to train \(name)", got: input.shape)
            }
            for f in 0..<c { means[f] = Float(sums[f] / count) }
            if !fused {
                let centres = means
                input.scalars.withUnsafeBufferPointer { x in
                    squares.withUnsafeMutableBufferPointer { squares in
                        forEachFeature(count: input.scalars.count) { f in
                            squares[f] = centredSquares(x, feature: f, mean: centres[f], n: n, inner: inner)
                        }
                    }
                }
                try statisticsSum?(&squares)
            }
            for f in 0..<c {
                invStd[f] = Float(1 / (squares[f] / count + Double(eps)).squareRoot())
                unbiased[f] = Float(squares[f] / (count - 1))
            }
            let mom = momentum
            for f in 0..<c {
                runningMean.value.scalars[f] = (1 - mom) * runningMean.value.scalars[f] + mom * means[f]
                runningVar.value.scalars[f] = (1 - mom) * runningVar.value.scalars[f] + mom * unbiased[f]
            }
            numBatchesTracked.value.scalars[0] += 1
            inverseStd = invStd
        } else {
            for f in 0..<c {
                means[f] = runningMean.value.scalars[f]
                invStd[f] = 1 / (runningVar.value.scalars[f] + eps).squareRoot()
            }
        }
        let gamma = weight.value.scalars, beta = bias.value.scalars
        var xhat: Tensor?
        let output = Tensor.filled(input.shape) { out in
            let write = { (normalized: UnsafeMutablePointer<Float>?) in
                input.scalars.withUnsafeBufferPointer { x in
                    self.forEachFeature(count: input.scalars.count) { f in
                        let (m, s, g, b) = (means[f], invStd[f], gamma[f], beta[f])
                        self.forEachRun(f, n: n, inner: inner) { start in
                            for i in start..<(start + inner) {
                                let h = (x[i] - m) * s
                                normalized?[i] = h
                                out[i] = g * h + b
                            }
                        }
                    }
                }
            }
            if training {
                xhat = Tensor.filled(input.shape) { write($0.baseAddress!) }
            } else {
                write(nil)
            }
        }
        normalized = xhat
        return output
    }

    /// dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂)); dγ += Σ dy·x̂, dβ += Σ dy.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        _ = try ShapeCheck.gradient(gradOutput, matches: normalized?.shape, layer: name)
        guard let xhat = normalized else { return gradOutput }
        let (n, inner) = try layout(xhat)
        var count = Double(n * inner)
        let c = features
        var sumDy = [Double](repeating: 0, count: c)
        var sumDyXhat = [Double](repeating: 0, count: c)
        gradOutput.scalars.withUnsafeBufferPointer { dy in
            xhat.scalars.withUnsafeBufferPointer { xh in
                sumDy.withUnsafeMutableBufferPointer { sumDy in
                    sumDyXhat.withUnsafeMutableBufferPointer { sumDyXhat in
                        forEachFeature(count: xhat.scalars.count) { f in
                            forEachRun(f, n: n, inner: inner) { start in
                                sumDy[f] += Double(VectorMath.sum(dy.baseAddress! + start, inner))
                                sumDyXhat[f] += Double(
                                    VectorMath.dot(dy.baseAddress! + start, xh.baseAddress! + start, inner))
                            }
                        }
                    }
                }
            }
        }
        // The parameters take this process's sums (the gradient exchange adds the others'); dx the whole batch's.
        for f in 0..<c {
            bias.gradient.scalars[f] += Float(sumDy[f])
            weight.gradient.scalars[f] += Float(sumDyXhat[f])
        }
        if let statisticsSum {
            var all = sumDy + sumDyXhat + [count]
            try statisticsSum(&all)
            (sumDy, sumDyXhat, count) = (Array(all[0..<c]), Array(all[c..<2 * c]), all[2 * c])
        }
        let gamma = weight.value.scalars
        return Tensor.filled(xhat.shape) { dx in
            gradOutput.scalars.withUnsafeBufferPointer { dy in
                xhat.scalars.withUnsafeBufferPointer { xh in
                    forEachFeature(count: xhat.scalars.count) { f in
                        let scale = gamma[f] * inverseStd[f]
                        let meanDy = Float(sumDy[f] / count), meanDyXhat = Float(sumDyXhat[f] / count)
                        forEachRun(f, n: n, inner: inner) { start in
                            for i in start..<(start + inner) { dx[i] = scale * (dy[i] - meanDy - xh[i] * meanDyXhat) }
                        }
                    }
                }
            }
        }
    }

    /// Σ x over feature `f`'s runs, each run in SIMD lanes, the runs summed in Double.
    private func sum(_ x: UnsafeBufferPointer<Float>, feature f: Int, n: Int, inner: Int) -> Double {
        var total = 0.0
        forEachRun(f, n: n, inner: inner) { total += Double(VectorMath.sum(x.baseAddress! + $0, inner)) }
        return total
    }

    /// Σ (x − mean)² over feature `f`'s runs, as `sum`.
    private func centredSquares(
        _ x: UnsafeBufferPointer<Float>, feature f: Int, mean: Float, n: Int, inner: Int
    ) -> Double {
        var total = 0.0
        forEachRun(f, n: n, inner: inner) {
            total += Double(VectorMath.centredSquares(x.baseAddress! + $0, mean: mean, inner))
        }
        return total
    }

    /// Calls `body` for every feature, split across `threads` when the tensor (of `count` elements) is
    /// large enough to be worth it; each feature's elements are disjoint from the others'.
    private func forEachFeature(count: Int, _ body: (Int) -> Void) {
        Parallel.forEachChunk(features, threads: count >= 1 << 15 ? threads : 1, chunksPerThread: 2) { range in
            for f in range { body(f) }
        }
    }

    /// Calls `body` with the start of each contiguous run of feature `f`: one per sample (2-D: the
    /// H·W plane of channel f; 1-D: the single element, inner = 1).
    private func forEachRun(_ f: Int, n: Int, inner: Int, _ body: (Int) -> Void) {
        for sample in 0..<n { body((sample * features + f) * inner) }
    }
}

private struct BatchNorm1dConfiguration: Codable {
    var features: Int
    var eps: Float
    var momentum: Float
}

private struct BatchNorm2dConfiguration: Codable {
    var channels: Int
    var eps: Float
    var momentum: Float
}

extension LayerSpec {
    /// `nn.BatchNorm1d(features, eps, momentum)` on [N, F].
    public static func batchNorm1d(features: Int, eps: Float = 1e-5, momentum: Float = 0.1) -> LayerSpec {
        LayerSpec(
            kind: "batchNorm1d", encoding: BatchNorm1dConfiguration(features: features, eps: eps, momentum: momentum))
    }

    /// `nn.BatchNorm2d(channels, eps, momentum)` on [N, C, H, W].
    public static func batchNorm2d(channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) -> LayerSpec {
        LayerSpec(
            kind: "batchNorm2d", encoding: BatchNorm2dConfiguration(channels: channels, eps: eps, momentum: momentum))
    }
}
