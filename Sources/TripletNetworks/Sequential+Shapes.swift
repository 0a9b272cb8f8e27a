import TripletCore

extension Sequential {
    /// Runs one zero sample of `inputShape` through the layers in evaluation mode and returns the output
    /// shape of one sample; throws `TripletError.invalidParameter` naming the first layer (index and spec)
    /// that cannot take what the layer before it makes — an architecture file's wrong sizes show up here,
    /// before any training.
    @discardableResult
    public func checkShapes(inputShape: [Int]) throws -> [Int] {
        var x = try Tensor(repeating: 0, shape: [1] + inputShape)
        for (index, layer) in layers.enumerated() {
            do {
                x = try layer.forward(x, training: false)
            } catch let error as TripletError {
                throw TripletError.invalidParameter(
                    name: "architecture", value: "layer \(index) (\(layer.spec)) on input \(x.shape)",
                    expected: "sizes that fit: \(error)")
            }
        }
        return Array(x.shape.dropFirst())
    }
}
