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
        adam.threads = 2
        for _ in 0..<3 {
            _ = try net.forward(x, training: true)
            try net.backward(dy, inputGradient: false)
        }
        var fb: [Double] = []
        var step: [Double] = []
        var cpu: [Double] = []
        func cpuTime() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        for _ in 0..<repeats {
            let start = Date()
            let cpuStart = cpuTime()
            net.zeroGradients()
            _ = try net.forward(x, training: true)
            try net.backward(dy, inputGradient: false)
            fb.append(Date().timeIntervalSince(start))
            cpu.append(cpuTime() - cpuStart)
            try adam.step(net.stateDictParameters, learningRate: 1e-3)
            step.append(Date().timeIntervalSince(start))
        }
        print("  fwd+bwd CPU time (both threads): \(String(format: "%.2f", cpu.min()! * 1000)) ms")
        let (bestFB, bestStep) = (fb.min()!, step.min()!)
        print(
            "\(name): fwd+bwd \(Int(256 / bestFB)) img/s (\(String(format: "%.2f", bestFB * 1000)) ms),"
                + " with Adam \(Int(256 / bestStep)) img/s (best of \(repeats))")
        var adamTimes: [Double] = []
        for _ in 0..<repeats {
            let t = Date()
            try adam.step(net.stateDictParameters, learningRate: 1e-3)
            adamTimes.append(Date().timeIntervalSince(t))
        }
        print("  Adam step alone: \(String(format: "%.3f", adamTimes.min()! * 1000)) ms")
        guard ProcessInfo.processInfo.environment["TRIPLETKIT_NET_LAYERS"] != nil else { return }
        // Per layer, unfused (each layer on its own).
        var layerTimes = [Double](repeating: 0, count: net.layers.count * 2)
        for _ in 0..<5 {
            var h = x
            for (i, layer) in net.layers.enumerated() {
                let t = Date()
                h = try layer.forward(h, training: true)
                layerTimes[2 * i] += Date().timeIntervalSince(t) / 5
            }
            var grad = dy
            for (i, layer) in net.layers.enumerated().reversed() {
                let t = Date()
                let next = try layer.backward(grad, inputGradient: i > 1)
                layerTimes[2 * i + 1] += Date().timeIntervalSince(t) / 5
                guard let next else { break }
                grad = next
            }
        }
        for (i, layer) in net.layers.enumerated() {
            print(
                "  \(layer.spec): fwd \(String(format: "%.2f", layerTimes[2 * i] * 1000)) ms, bwd \(String(format: "%.2f", layerTimes[2 * i + 1] * 1000)) ms"
            )
        }
    }

    @Test func convNetAndMLP() throws {
        let which = ProcessInfo.processInfo.environment["TRIPLETKIT_NET_SPEED"] ?? ""
        if which != "mlp" { try measure("ConvNet", Sequential.convNet(seed: 1, threads: 2), repeats: 30) }
        if which != "conv" { try measure("MLP", Sequential.mlp(seed: 1, threads: 2), repeats: 200) }
    }
}
