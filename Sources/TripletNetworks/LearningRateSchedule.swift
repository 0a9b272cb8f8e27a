import Foundation
import TripletCore

/// A learning rate as a function of the optimizer step, `rate(at:base:)`; stored in a checkpoint's JSON
/// sidecar (Codable).
///
/// ```swift
/// let schedule = LearningRateSchedule.warmup(steps: 500, startFactor: 0.01, then: .cosine(maxSteps: 10_000, minimum: 0))
/// let lr = schedule.rate(at: adam.stepCount, base: 1e-3)
/// ```
public indirect enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// The base rate at every step.
    case constant
    /// `StepLR`: base·γ^⌊step / stepSize⌋.
    case step(stepSize: Int, gamma: Float)
    /// `CosineAnnealingLR` (its closed form): η_min + (base − η_min)·(1 + cos(π·t / T_max)) / 2 with
    /// t = min(step, T_max), so the rate stays at η_min after T_max steps (PyTorch's would rise again).
    case cosine(maxSteps: Int, minimum: Float)
    /// A linear warm-up: for step < `steps`, base·(f + (1 − f)·step / steps) with f = `startFactor`
    /// (`LinearLR`); afterwards the wrapped schedule, counted from the end of the warm-up.
    case warmup(steps: Int, startFactor: Float, then: LearningRateSchedule)

    /// The learning rate at optimizer step `step` (0 for the first step; negative steps count as 0).
    public func rate(at step: Int, base: Float) -> Float {
        let step = max(0, step)
        switch self {
        case .constant:
            return base
        case .step(let stepSize, let gamma):
            return base * Float(pow(Double(gamma), Double(step / max(1, stepSize))))
        case .cosine(let maxSteps, let minimum):
            let t = Double(min(step, max(1, maxSteps))) / Double(max(1, maxSteps))
            return minimum + (base - minimum) * Float((1 + cos(Double.pi * t)) / 2)
        case .warmup(let steps, let startFactor, let then):
            guard step < steps else { return then.rate(at: step - steps, base: base) }
            return base * (startFactor + (1 - startFactor) * Float(step) / Float(steps))
        }
    }

    /// Throws `invalidParameter` for a step size or T_max below 1, a γ that is negative or not finite,
    /// a negative or non-finite η_min, warm-up steps below 0, or a start factor outside [0, 1].
    public func validate() throws {
        switch self {
        case .constant:
            return
        case .step(let stepSize, let gamma):
            guard stepSize >= 1 else { throw invalid("step size", stepSize, "an integer >= 1") }
            guard gamma.isFinite, gamma >= 0 else { throw invalid("gamma", gamma, "a finite value >= 0") }
        case .cosine(let maxSteps, let minimum):
            guard maxSteps >= 1 else { throw invalid("T_max", maxSteps, "an integer >= 1") }
            guard minimum.isFinite, minimum >= 0 else { throw invalid("eta_min", minimum, "a finite value >= 0") }
        case .warmup(let steps, let startFactor, let then):
            guard steps >= 0 else { throw invalid("warm-up steps", steps, "an integer >= 0") }
            guard startFactor >= 0, startFactor <= 1 else {
                throw invalid("start factor", startFactor, "a value in [0, 1]")
            }
            try then.validate()
        }
    }

    private func invalid(_ name: String, _ value: Any, _ expected: String) -> TripletError {
        .invalidParameter(name: name, value: "\(value)", expected: expected)
    }
}
