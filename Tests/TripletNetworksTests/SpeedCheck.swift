import Foundation
import Testing
import TripletCore
import TripletNetworks

/// Images per second of forward + backward (+ Adam) on 2 threads; not a test. Run with
/// `TRIPLETKIT_NET_SPEED=1 swift test -c release --scratch-path .build-nets --filter SpeedCheck`.
@Suite("SpeedCheck", .enabled(if: ProcessInfo.processInfo.environment["TRIPLETKIT_NET_SPEED"] != nil))
struct SpeedCheck {
    func measure(_ name: String, _ net: Sequential, repeats: Int) throws {
        var g = SeededGenerator(seed: 3)
        let x = try Tensor(
            shape: [256, 1, 28, 28], scalars: (0..<(256 * 784)).map { _ in Float.random(in: 0..<1, using: &g) })
        let dy = try Tensor(
            shape: [256, 64], scalars: (0..<(256 * 64)).map { _ in Float.random(in: -1..<1, using: &g) })
        let adam = try Adam()
        for _ in 0..<3 {
            _ = try net.forward(x, training: true)
            try net.backward(dy)
        }
        var times: [Double] = []
        var layerTimes = [Double](repeating: 0, count: net.layers.count * 2)
        for _ in 0..<repeats {
            let start = Date()
            net.zeroGradients()
            var h = x
            for (i, layer) in net.layers.enumerated() {
                let t = Date()
                h = try layer.forward(h, training: true)
                layerTimes[2 * i] += Date().timeIntervalSince(t)
            }
            var grad = dy
            for (i, layer) in net.layers.enumerated().reversed() {
                let t = Date()
                guard let next = try layer.backward(grad, inputGradient: i > 1) else { break }
                grad = next
                layerTimes[2 * i + 1] += Date().timeIntervalSince(t)
            }
            let fb = Date().timeIntervalSince(start)
            try adam.step(net.namedParameters, learningRate: 1e-3)
            times.append(contentsOf: [fb, Date().timeIntervalSince(start)])
        }
        let fb = times.enumerated().filter { $0.offset % 2 == 0 }.map(\.element).sorted()[repeats / 2]
        let step = times.enumerated().filter { $0.offset % 2 == 1 }.map(\.element).sorted()[repeats / 2]
        print(
            "\(name): fwd+bwd \(Int(256 / fb)) img/s (\(String(format: "%.2f", fb * 1000)) ms), with Adam \(Int(256 / step)) img/s"
        )
        for (i, layer) in net.layers.enumerated() {
            print(
                String(
                    format: "  %-40@ fwd %.2f ms  bwd %.2f ms", "\(layer.spec)" as NSString,
                    layerTimes[2 * i] * 1000 / Double(repeats), layerTimes[2 * i + 1] * 1000 / Double(repeats)))
        }
    }

    @Test func convNetAndMLP() throws {
        try measure("ConvNet", Sequential.convNet(seed: 1, threads: 2), repeats: 30)
        try measure("MLP", Sequential.mlp(seed: 1, threads: 2), repeats: 200)
    }
}
