import Foundation
import Testing
import TripletKit

/// `mpirun -np N triplet train`: N ranks sharing each global batch train the same model as one process on
/// that batch (semihard, batch-hard, contrastive); a rank killed mid-run stops the job, which `--resume`
/// then finishes to the weights of a run never interrupted; a rank that hangs stops the job after
/// `--mpi-timeout`. Runs `triplet` on the digits CSV fixture with a small MLP.
@Suite(
    "Data-parallel training over MPI",
    .enabled(if: MPIRun.path != nil, "mpirun not found: install openmpi-bin (make deps does)"))
struct MPITrainingTests {
    /// A 64-32-16 MLP: small enough for seconds-long runs in a debug build.
    static let architecture = """
        [{"dense": {"inputs": 64, "outputs": 32, "bias": true}}, {"relu": {}},
         {"dense": {"inputs": 32, "outputs": 16, "bias": true}}, {"l2Normalize": {}}]
        """

    /// The same with BatchNorm after the first layer (synchronised across ranks).
    static let batchNormArchitecture = """
        [{"dense": {"inputs": 64, "outputs": 32, "bias": false}},
         {"batchNorm1d": {"features": 32, "eps": 1e-5, "momentum": 0.1}}, {"relu": {}},
         {"dense": {"inputs": 32, "outputs": 16, "bias": true}}, {"l2Normalize": {}}]
        """

    /// The training flags: `epochs` epochs of 10 steps of 32 samples (4 classes × 8), one thread per rank.
    static func arguments(in folder: URL, epochs: Int, architecture: String = architecture) throws -> [String] {
        let csv = try #require(Bundle.module.url(forResource: "Fixtures/digits", withExtension: "csv"))
        let file = folder.appendingPathComponent("architecture.json")
        try architecture.write(to: file, atomically: true, encoding: .utf8)
        return [
            "train", "--csv", csv.path, "--label-column", "label", "--split-classes", "half", "--limit", "600",
            "--architecture", file.path, "--batch-size", "32", "--samples-per-class", "8", "--epochs", "\(epochs)",
            "--lr", "0.01", "--seed", "3", "--threads", "1", "--no-report",
        ]
    }

    /// The mean loss of each epoch in FOLDER/metrics.json.
    static func losses(in folder: URL) throws -> [Double] {
        let data = try Data(contentsOf: folder.appendingPathComponent("metrics.json"))
        return try JSONFiles.decoder.decode([EpochMetrics].self, from: data).map(\.loss)
    }

    /// FOLDER/model.safetensors.
    static func weights(in folder: URL) throws -> [(String, Tensor)] {
        try SafeTensors.read(from: folder.appendingPathComponent("model.safetensors")).tensors
    }

    /// The largest difference between two runs' weights (infinity when their names or shapes differ).
    static func largestDifference(_ a: [(String, Tensor)], _ b: [(String, Tensor)]) -> Float {
        guard a.map(\.0) == b.map(\.0), a.map(\.1.shape) == b.map(\.1.shape) else { return .infinity }
        return zip(a, b).map { x, y in zip(x.1.scalars, y.1.scalars).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
    }

    @Test(arguments: [
        ["--loss", "triplet-margin", "--miner", "semihard"], ["--loss", "triplet-margin", "--miner", "batch-hard"],
        ["--loss", "contrastive"],
        // Cross-batch memory (each rank keeps the same ring of global batches) and hard-class sampling.
        [
            "--loss", "triplet-margin", "--miner", "semihard", "--memory-size", "96", "--sampler", "hard-classes",
            "--hard-class-pool", "200",
        ],
    ])
    func ranksTrainAsOneProcessOnTheGlobalBatch(loss: [String]) throws {
        let base = try TripletProcess.temporaryFolder("mpi-\(loss.count > 4 ? "memory" : loss.last ?? "")")
        defer { try? FileManager.default.removeItem(at: base) }
        let arguments = try Self.arguments(in: base, epochs: 2) + loss
        try Self.expectRanksMatchOneProcess(arguments, in: base)
    }

    /// BatchNorm normalises with the whole batch's statistics on every rank (SGD: Adam would turn the rounding
    /// noise of gradients that are zero in exact arithmetic — a constant input's weight before BatchNorm —
    /// into steps of the full learning rate, in one process as much as in several).
    @Test func synchronisedBatchNormTrainsAsOneProcess() throws {
        let base = try TripletProcess.temporaryFolder("mpi-batchnorm")
        defer { try? FileManager.default.removeItem(at: base) }
        let arguments =
            try Self.arguments(in: base, epochs: 2, architecture: Self.batchNormArchitecture) + ["--optimizer", "sgd"]
        try Self.expectRanksMatchOneProcess(arguments, in: base)
    }

    /// Trains `arguments` in one process and as 2 and 4 ranks into folders of `base`; expects the same loss
    /// per epoch and the same weights, to 1e-5.
    static func expectRanksMatchOneProcess(_ arguments: [String], in base: URL) throws {
        let single = base.appendingPathComponent("single")
        let alone = try TripletProcess.run(arguments + ["--out", single.path])
        try #require(alone.status == 0, "one process failed: \(alone.error)")
        let expected = try losses(in: single), weights = try weights(in: single)
        #expect(expected.count == 2 && expected.allSatisfy { $0.isFinite && $0 > 0 }, "losses \(expected)")
        for ranks in [2, 4] {
            let out = base.appendingPathComponent("ranks-\(ranks)")
            let job = try MPIRun.run(ranks: ranks, arguments + ["--out", out.path])
            try #require(job.status == 0, "\(ranks) ranks failed: \(job.error)")
            let distributed = try losses(in: out)
            #expect(distributed.count == expected.count)
            for (a, b) in zip(expected, distributed) {
                #expect(abs(a - b) <= 1e-5, "\(ranks) ranks: loss \(b), not \(a)")
            }
            let difference = largestDifference(weights, try Self.weights(in: out))
            #expect(difference <= 1e-5, "\(ranks) ranks: weights differ by \(difference)")
        }
    }

    @Test func killedRankStopsTheJobAndResumeFinishesIt() throws {
        let base = try TripletProcess.temporaryFolder("mpi-fault")
        defer { try? FileManager.default.removeItem(at: base) }
        let epochs = 8
        let arguments = try Self.arguments(in: base, epochs: epochs)
        let straight = base.appendingPathComponent("straight"), killed = base.appendingPathComponent("killed")
        let reference = try MPIRun.run(ranks: 2, arguments + ["--out", straight.path])
        try #require(reference.status == 0, "the uninterrupted run failed: \(reference.error)")

        // Kill rank 1 as soon as the first checkpoint is committed: the job is then inside a later epoch.
        let job = try MPIRun.Job(ranks: 2, arguments + ["--out", killed.path])
        let deadline = Date().addingTimeInterval(120)
        while ResumeTests.epoch(in: killed) == nil && job.process.isRunning && Date() < deadline { usleep(2_000) }
        let victim = try #require(MPIRun.rankProcess(1, of: job.process.processIdentifier), "rank 1 not found")
        kill(victim, SIGKILL)
        let (status, error) = job.wait(timeout: 60)
        let stopped = try #require(status, "the job did not stop within 60 s of a rank's death")
        #expect(stopped != 0)
        #expect(error.contains("rank 1") && error.contains("signal 9"), "no clear message: \(error)")
        let reached = try #require(ResumeTests.epoch(in: killed), "no checkpoint was written before the kill")
        #expect(reached < epochs, "the run finished before it could be killed; the test proves less")

        // Resumed with the same number of ranks: the same weights, bit for bit; with one process: to 1e-5.
        let alone = base.appendingPathComponent("alone")
        try FileManager.default.copyItem(at: killed, to: alone)
        let resumed = try MPIRun.run(ranks: 2, arguments + ["--out", killed.path, "--resume"])
        try #require(resumed.status == 0, "the resumed run failed: \(resumed.error)")
        #expect(ResumeTests.epoch(in: killed) == epochs)
        #expect(Self.largestDifference(try Self.weights(in: straight), try Self.weights(in: killed)) == 0)
        let single = try TripletProcess.run(arguments + ["--out", alone.path, "--resume"])
        try #require(single.status == 0, "the run resumed in one process failed: \(single.error)")
        let difference = Self.largestDifference(try Self.weights(in: straight), try Self.weights(in: alone))
        #expect(difference <= 1e-5, "resumed in one process, the weights differ by \(difference)")
    }

    @Test func hungRankStopsTheJobAfterTheTimeout() throws {
        let base = try TripletProcess.temporaryFolder("mpi-hang")
        defer { try? FileManager.default.removeItem(at: base) }
        let out = base.appendingPathComponent("run")
        let job = try MPIRun.Job(
            ranks: 2, try Self.arguments(in: base, epochs: 8) + ["--mpi-timeout", "2", "--out", out.path])
        let deadline = Date().addingTimeInterval(120)
        while ResumeTests.epoch(in: out) == nil && job.process.isRunning && Date() < deadline { usleep(2_000) }
        // Rank 1 stops without dying: only the others' time-out can end the job.
        let victim = try #require(MPIRun.rankProcess(1, of: job.process.processIdentifier), "rank 1 not found")
        kill(victim, SIGSTOP)
        defer { kill(victim, SIGKILL) }
        let (status, error) = job.wait(timeout: 60)
        let stopped = try #require(status, "the job still waited 60 s after rank 1 stopped")
        #expect(stopped != 0)
        #expect(error.contains("has waited 2 s") && error.contains("--mpi-timeout"), "no clear message: \(error)")
    }
}
