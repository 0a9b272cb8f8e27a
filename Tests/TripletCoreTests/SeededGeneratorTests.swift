import Testing
import TripletCore

@Suite("SeededGenerator")
struct SeededGeneratorTests {
    private func draw(_ seed: UInt64, _ count: Int) -> [UInt64] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in g.next() }
    }

    @Test(arguments: [0, 1, 42, UInt64.max])
    func sameSeedSameSequence(seed: UInt64) {
        #expect(draw(seed, 100) == draw(seed, 100))
        var a = SeededGenerator(seed: seed), b = SeededGenerator(seed: seed)
        #expect(a == b)
        #expect((0..<50).map { _ in a.nextNormal() } == (0..<50).map { _ in b.nextNormal() })
        #expect(a == b)
    }

    @Test func differentSeedsDiffer() {
        let sequences = [0, 1, 2, 3, 1 << 32, UInt64.max].map { draw($0, 16) }
        #expect(Set(sequences).count == sequences.count)
        #expect(SeededGenerator(seed: 0) != SeededGenerator(seed: 1))
        // The outputs are not trivially related (not all equal, not constant).
        #expect(Set(draw(7, 64)).count == 64)
    }

    @Test func copiedStateContinuesTheSequence() {
        var g = SeededGenerator(seed: 9)
        for _ in 0..<10 { _ = g.next() }
        var copy = g
        #expect((0..<20).map { _ in g.next() } == (0..<20).map { _ in copy.next() })
    }

    @Test func nextNormalIsRoughlyStandard() {
        var g = SeededGenerator(seed: 2024)
        let n = 20_000
        var sum = 0.0, sumSquares = 0.0, beyondThree = 0
        for _ in 0..<n {
            let x = g.nextNormal()
            #expect(x.isFinite)
            sum += Double(x)
            sumSquares += Double(x) * Double(x)
            if abs(x) > 3 { beyondThree += 1 }
        }
        let mean = sum / Double(n)
        let std = (sumSquares / Double(n) - mean * mean).squareRoot()
        #expect(abs(mean) < 0.05)
        #expect(abs(std - 1) < 0.05)
        // P(|x| > 3) ≈ 0.27 %: about 54 of 20 000.
        #expect((10...150).contains(beyondThree))
    }
}
