import TripletCore

extension Sequential {
    /// Every trainable parameter under its checkpoint name, "layers.<name>" ("layers.0.weight"): the name
    /// in the `state_dict` of a PyTorch module that holds this network as `self.layers`. Pass these to an
    /// optimizer, so that its state is saved under the same names.
    public var stateDictParameters: [(name: String, parameter: Parameter)] {
        namedParameters.map { ("layers.\($0.name)", $0.parameter) }
    }

    /// Parameters and buffers in PyTorch's `state_dict` order under their checkpoint names ("layers.0.weight",
    /// "layers.1.running_mean").
    public func stateDict() -> [(String, Tensor)] {
        namedTensors().map { ($0.name, $0.parameter.value) }
    }

    /// Replaces every parameter and buffer with the tensor of the same name. Checks everything before it
    /// changes anything: a missing or unexpected name, a wrong shape or a non-finite value throws a
    /// `TripletError` that names the tensor, and the network is left as it was.
    public func load(stateDict: [(String, Tensor)]) throws {
        let targets = namedTensors()
        var given: [String: Tensor] = [:]
        for (name, tensor) in stateDict {
            guard given.updateValue(tensor, forKey: name) == nil else {
                throw TripletError.invalidParameter(
                    name: "state dict", value: "\"\(name)\" given twice", expected: "each tensor once")
            }
        }
        let known = Set(targets.map(\.name))
        if let extra = stateDict.first(where: { !known.contains($0.0) }) {
            throw TripletError.invalidParameter(
                name: "state dict", value: "unexpected tensor \"\(extra.0)\"",
                expected: "only this network's tensors: \(targets.map(\.name).joined(separator: ", "))")
        }
        for (name, parameter) in targets {
            guard let tensor = given[name] else {
                throw TripletError.invalidParameter(
                    name: "state dict", value: "missing tensor \"\(name)\"",
                    expected: "every parameter and buffer of the network")
            }
            guard tensor.shape == parameter.value.shape else {
                throw TripletError.shapeMismatch(
                    expected: "\(parameter.value.shape) for \"\(name)\"", got: tensor.shape)
            }
            try tensor.requireFinite("\"\(name)\"")
        }
        for (name, parameter) in targets { parameter.value = given[name]! }
    }

    private func namedTensors() -> [(name: String, parameter: Parameter)] {
        namedState.map { ("layers.\($0.name)", $0.parameter) }
    }
}
