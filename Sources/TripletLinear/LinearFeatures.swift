import TripletCore

/// The dense features a linear learner trains on: [N, D] Float rows, checked once.
enum LinearFeatures {
    /// Checks that `features` is a finite [N, D] matrix with N, D ≥ 1 and returns D.
    /// - Throws: `TripletError.shapeMismatch` for another shape, `TripletError.nonFiniteValue` naming the
    ///   first NaN or infinity.
    static func dimension(of features: Tensor) throws -> Int {
        guard features.shape.count == 2, features.shape[0] >= 1, features.shape[1] >= 1 else {
            throw TripletError.shapeMismatch(expected: "features [N, D] with N, D ≥ 1", got: features.shape)
        }
        let width = features.shape[1]
        if !features.allFinite, let bad = features.scalars.firstIndex(where: { !$0.isFinite }) {
            throw TripletError.nonFiniteValue(what: "the features", row: bad / width, column: bad % width)
        }
        return width
    }
}
