import Foundation

/// log(1 + eˣ) without overflow, and its derivative σ(x).
enum Softplus {
    @inline(__always)
    static func value(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    @inline(__always)
    static func derivative(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
}
