import TripletCore

/// A cap on the elements of all the parameters and buffers created while it is bound
/// (`Initializers.$budget.withValue(budget) { … }`), taken before each tensor is allocated. A model folder binds
/// what its weights file can hold (a byte per element at the least), so that a model.json describing far
/// more parameters than that is refused before memory is spent on them.
public final class ParameterBudget: @unchecked Sendable {
    /// Elements still allowed.
    public private(set) var remaining: Int
    /// What the cap comes from, for the error ("model.safetensors (120 bytes)").
    public let source: String

    /// A budget of `elements` elements, from `source`.
    public init(elements: Int, source: String) {
        (remaining, self.source) = (max(elements, 0), source)
    }

    /// Takes `count` elements; throws `TripletError.invalidParameter` when fewer remain. Networks are built
    /// on one thread, so the budget is not locked.
    func take(_ count: Int, for name: String) throws {
        guard count <= remaining else {
            throw TripletError.invalidParameter(
                name: name, value: "\(count) more elements",
                expected: "at most \(remaining) more: more parameters than \(source) can hold (a damaged model.json?)")
        }
        remaining -= count
    }
}

extension Initializers {
    /// The budget the tensors created on this task draw from (none by default).
    @TaskLocal public static var budget: ParameterBudget?

    /// Checks `shape` (`checkParameterShape`) and takes `copies` tensors of it from the bound budget, before
    /// a layer allocates them.
    public static func reserve(_ shape: [Int], copies: Int = 1, name: String = "weight shape") throws {
        try checkParameterShape(shape, name: name)
        try budget?.take(shape.reduce(1, *) * copies, for: name)
    }
}
