import TripletCore

extension Dataset {
    /// The distinct labels, ascending.
    public var classes: [Int] { Array(Set(labels)).sorted() }

    /// The samples at `indices`, in that order (an index may repeat). Throws
    /// `TripletError.indexOutOfRange` for an index outside `0..<count`.
    public func subset(_ indices: [Int]) throws -> Dataset {
        if let bad = indices.first(where: { !(0..<count).contains($0) }) {
            throw TripletError.indexOutOfRange(what: "sample", index: bad, count: count)
        }
        return rows(indices)
    }

    /// Splits by class for the metric-learning protocol (train on some classes, evaluate on unseen ones):
    /// `selected` holds the samples whose label is in `classes`, `rest` the others, each in the original
    /// order. Classes absent from the dataset select nothing.
    ///
    /// ```swift
    /// let (seen, unseen) = train.split(byClasses: [0, 1, 2, 3, 4])
    /// ```
    public func split(byClasses classes: Set<Int>) -> (selected: Dataset, rest: Dataset) {
        let inside = labels.indices.filter { classes.contains(labels[$0]) }
        let outside = labels.indices.filter { !classes.contains(labels[$0]) }
        return (rows(inside), rows(outside))
    }

    /// The samples at `indices`, which the caller has checked.
    private func rows(_ indices: [Int]) -> Dataset {
        let width = inputs.rowWidth
        var selected = Tensor.zeros([indices.count] + inputs.shape.dropFirst())
        inputs.scalars.withUnsafeBufferPointer { source in
            selected.scalars.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress, let to = target.baseAddress, width > 0 else { return }
                for (row, index) in indices.enumerated() {
                    (to + row * width).update(from: from + index * width, count: width)
                }
            }
        }
        return Dataset(unchecked: selected, labels: indices.map { labels[$0] })
    }
}
