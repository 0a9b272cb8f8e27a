import TripletCore

/// Updates parameters from their gradients, PyTorch's `torch.optim` semantics.
///
/// ```swift
/// let adam = try Adam()
/// net.zeroGradients()
/// _ = try net.forward(x, training: true)
/// try net.backward(dLoss)
/// try adam.step(net.namedParameters, learningRate: schedule.rate(at: adam.stepCount, base: 1e-3))
/// ```
public protocol Optimizer: AnyObject {
    /// The number of `step` calls so far (restored by `load(stateDict:)`).
    var stepCount: Int { get }
    /// Threads the updates may use (large parameters are split across them); the result does not depend
    /// on it.
    var threads: Int { get set }
    /// Updates every parameter in place from its gradient. Throws, changing nothing, on a learning rate
    /// that is negative or not finite, on a non-finite gradient, or on a gradient or state whose shape
    /// differs from its parameter's.
    func step(_ parameters: [(name: String, parameter: Parameter)], learningRate: Float) throws
    /// The optimizer's state for a checkpoint: "step" (shape []) and, per parameter, tensors named
    /// "<parameter>.<slot>" ("layers.0.weight.exp_avg").
    func stateDict() -> [(String, Tensor)]
    /// Restores a state saved by `stateDict()`; throws on an unknown name or a malformed tensor.
    func load(stateDict: [(String, Tensor)]) throws
}

/// Per-parameter state tensors kept by an optimizer, keyed by parameter name, with fixed slot names.
final class OptimizerState {
    /// The slot names, in `stateDict` order ("step", "exp_avg", …).
    let slots: [String]
    /// Slots holding one number (shape []) rather than a tensor of the parameter's shape.
    let scalarSlots: Set<String>
    private(set) var order: [String] = []
    private var known: Set<String> = []
    private var values: [String: [String: Tensor]] = [:]
    /// The number of completed steps.
    var stepCount = 0

    init(slots: [String], scalarSlots: Set<String> = []) {
        self.slots = slots
        self.scalarSlots = scalarSlots
    }

    /// Removes and returns the slots of `name` (nil before its first step), so that the caller owns the
    /// only reference and updates them in place without a copy; `set` puts them back.
    func take(_ name: String) -> [String: Tensor]? { values.removeValue(forKey: name) }

    /// Stores the slots of `name`, keeping its place in the order.
    func set(_ name: String, _ slots: [String: Tensor]) {
        if !known.contains(name) {
            known.insert(name)
            order.append(name)
        }
        values[name] = slots
    }

    /// Checks a step's inputs before anything changes: the learning rate, each gradient's shape and
    /// values, and the shape of any existing state.
    func validate(_ parameters: [(name: String, parameter: Parameter)], learningRate: Float) throws {
        guard learningRate.isFinite, learningRate >= 0 else {
            throw TripletError.invalidParameter(
                name: "learning rate", value: "\(learningRate)", expected: "a finite value >= 0")
        }
        var seen = Set<String>()
        for (name, parameter) in parameters {
            guard seen.insert(name).inserted else {
                throw TripletError.invalidParameter(
                    name: "parameters", value: "\"\(name)\" listed twice", expected: "unique names")
            }
            let shape = parameter.value.shape
            guard parameter.gradient.shape == shape else {
                throw TripletError.shapeMismatch(
                    expected: "\(shape) for the gradient of \"\(name)\"", got: parameter.gradient.shape)
            }
            try parameter.gradient.requireFinite("the gradient of \"\(name)\"")
            for (slot, tensor) in values[name] ?? [:] where !scalarSlots.contains(slot) && tensor.shape != shape {
                throw TripletError.shapeMismatch(expected: "\(shape) for \"\(name).\(slot)\"", got: tensor.shape)
            }
        }
    }

    /// "step", then each parameter's slots in first-stepped order.
    func stateDict() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = [("step", Tensor.filled([]) { $0[0] = Float(stepCount) })]
        for name in order {
            for slot in slots { if let t = values[name]?[slot] { result.append(("\(name).\(slot)", t)) } }
        }
        return result
    }

    /// Replaces the whole state from `stateDict`; throws on an unknown or incomplete entry.
    func load(_ stateDict: [(String, Tensor)]) throws {
        var newOrder: [String] = []
        var newValues: [String: [String: Tensor]] = [:]
        var newStep: Int?
        for (key, tensor) in stateDict {
            try tensor.requireFinite("optimizer state \"\(key)\"")
            if key == "step" {
                guard tensor.scalars.count == 1, let step = Int(exactly: tensor.scalars[0]), step >= 0 else {
                    throw TripletError.invalidParameter(
                        name: "optimizer state", value: "step \(tensor.scalars)", expected: "one whole number >= 0")
                }
                newStep = step
                continue
            }
            guard let slot = slots.first(where: { key.hasSuffix(".\($0)") }) else {
                throw TripletError.invalidParameter(
                    name: "optimizer state", value: "unexpected tensor \"\(key)\"",
                    expected: "\"step\" or names ending in \(slots.map { ".\($0)" }.joined(separator: ", "))")
            }
            let name = String(key.dropLast(slot.count + 1))
            if scalarSlots.contains(slot), tensor.scalars.count != 1 {
                throw TripletError.shapeMismatch(expected: "[] for \"\(key)\"", got: tensor.shape)
            }
            if newValues[name] == nil { newOrder.append(name) }
            guard newValues[name, default: [:]].updateValue(tensor, forKey: slot) == nil else {
                throw TripletError.invalidParameter(
                    name: "optimizer state", value: "\"\(key)\" given twice", expected: "each tensor once")
            }
        }
        for name in newOrder {
            if let missing = slots.first(where: { newValues[name]?[$0] == nil }) {
                throw TripletError.invalidParameter(
                    name: "optimizer state", value: "missing tensor \"\(name).\(missing)\"",
                    expected: "every slot of each parameter")
            }
            let shapes = Set(slots.filter { !scalarSlots.contains($0) }.compactMap { newValues[name]?[$0]?.shape })
            guard shapes.count <= 1 else {
                throw TripletError.shapeMismatch(expected: "one shape for every slot of \"\(name)\"", got: [])
            }
        }
        guard let newStep else {
            throw TripletError.invalidParameter(
                name: "optimizer state", value: "missing tensor \"step\"", expected: "the step count")
        }
        (order, known, values, stepCount) = (newOrder, Set(newOrder), newValues, newStep)
    }
}
