import TripletCore

extension OASIS {
    /// What a run of steps did.
    public struct Run: Sendable {
        /// The hinge l of every step, before its update.
        public var hinges: [Float]
        /// Steps that moved W.
        public var updatedCount: Int
        /// Violated steps left alone because ‖V‖_F = 0.
        public var skippedCount: Int
        /// The mean hinge over the steps.
        public var meanHinge: Double {
            hinges.isEmpty ? 0 : hinges.reduce(0) { $0 + Double($1) } / Double(hinges.count)
        }
    }

    /// Runs one step per comparison, in order, on the rows of `features` [N, D].
    /// - Throws: `TripletError` when the features are not a finite [N, `dimension`] matrix or a comparison
    ///   names a row outside it (checked before any step).
    @discardableResult
    public mutating func train(features: Tensor, comparisons: [Comparison]) throws -> Run {
        try check(features)
        try Comparison.validate(comparisons, sampleCount: features.rowCount)
        var run = Run(hinges: [], updatedCount: 0, skippedCount: 0)
        run.hinges.reserveCapacity(comparisons.count)
        features.scalars.withUnsafeBufferPointer { rows in
            let base = rows.baseAddress!
            for c in comparisons {
                let step = update(
                    anchor: base + c.anchor * dimension, positive: base + c.positive * dimension,
                    negative: base + c.negative * dimension)
                record(step, in: &run)
            }
        }
        return run
    }

    /// Runs `steps` steps on comparisons drawn from `labels` (OASIS's online algorithm).
    /// - Throws: as `train(features:comparisons:)`, and when the labels do not match the rows or allow no
    ///   comparison (see `LabelComparisons`).
    @discardableResult
    public mutating func train(features: Tensor, labels: [Int], steps: Int, seed: UInt64) throws -> Run {
        try check(features)
        guard labels.count == features.rowCount else {
            throw TripletError.labelCountMismatch(embeddings: features.rowCount, labels: labels.count)
        }
        guard steps >= 1 else {
            throw TripletError.invalidParameter(name: "steps", value: "\(steps)", expected: "at least 1")
        }
        var draw = try LabelComparisons(labels: labels, seed: seed)
        var run = Run(hinges: [], updatedCount: 0, skippedCount: 0)
        run.hinges.reserveCapacity(steps)
        features.scalars.withUnsafeBufferPointer { rows in
            let base = rows.baseAddress!
            for _ in 0..<steps {
                let c = draw.next()
                let step = update(
                    anchor: base + c.anchor * dimension, positive: base + c.positive * dimension,
                    negative: base + c.negative * dimension)
                record(step, in: &run)
            }
        }
        return run
    }

    private func check(_ features: Tensor) throws {
        let width = try LinearFeatures.dimension(of: features)
        guard width == dimension else { throw TripletError.dimensionMismatch(expected: dimension, got: width) }
    }

    private func record(_ step: Step, in run: inout Run) {
        run.hinges.append(step.hinge)
        switch step.outcome {
        case .updated: run.updatedCount += 1
        case .skipped: run.skippedCount += 1
        case .passive: break
        }
    }
}
