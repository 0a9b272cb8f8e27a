"""The scaling table of `make bench-mpi` (Benchmarks/mpi_scaling.sh): bytes exchanged per step and the step time
expected on N machines on a 10 and a 100 Gbit/s network, beside the step times measured in OUT.

Model of one data-parallel step on N machines like the one measured (its threads), global batch B, embedding
dimension D, P parameters:
  t(N) = (t1 - t_loss) / N + t_loss + bytes(N) / bandwidth + 3 (N - 1) alpha
where t1 is the measured one-process step, t_loss the loss + miner on the whole batch (every rank computes it on
the gathered embeddings, so it does not shrink), bytes(N) what one rank sends (and receives) in a ring all-gather
of the B x D embeddings, (N - 1)/N * 4BD, plus a ring all-reduce of the gradients, 2 (N - 1)/N * 4P, and alpha a
per-message latency (20 us, TCP on a switched LAN) over the 3 (N - 1) ring steps.
Usage: python3 Benchmarks/mpi_scaling.py OUT
"""
import json
import struct
import sys
from pathlib import Path

ALPHA = 20e-6


def parameter_count(path):
    raw = path.read_bytes()
    header = json.loads(raw[8 : 8 + struct.unpack("<Q", raw[:8])[0]])
    count = 0
    for name, entry in header.items():
        if name != "__metadata__" and "running" not in name and "num_batches" not in name:
            n = 1
            for size in entry["shape"]:
                n *= size
            count += n
    return count


def main(out):
    out = Path(out)
    runs = [json.loads(line) for line in (out / "steps.jsonl").read_text().splitlines() if line.strip()]
    loss = json.loads((out / "loss.json").read_text())
    batch, dim = loss["batch_size"], loss["dim"]
    params = parameter_count(out / "ranks-1" / "model.safetensors")
    step = {r["ranks"]: batch / r["run"]["images_per_s"] for r in runs}
    t1, t_loss = step[1], loss["median_ms"] / 1000
    print(f"B = {batch}, D = {dim}, P = {params:,} parameters; one process: {1000 * t1:.1f} ms per step, "
          f"of which the loss and miner {1000 * t_loss:.1f} ms\n")
    print("| machines N | sent per rank per step: all-gather + all-reduce | step at 10 Gbit/s | step at 100 Gbit/s |"
          " speed-up (10 / 100 Gbit/s) |")
    print("|---:|---:|---:|---:|---:|")
    for n in (1, 2, 4, 8, 16, 32):
        gather = (n - 1) / n * 4 * batch * dim
        reduce = 2 * (n - 1) / n * 4 * params
        times = [(t1 - t_loss) / n + t_loss + (gather + reduce) * 8 / bw + 3 * (n - 1) * ALPHA for bw in (10e9, 100e9)]
        print(f"| {n} | {gather / 1e3:.0f} kB + {reduce / 1e6:.2f} MB | {1000 * times[0]:.1f} ms | "
              f"{1000 * times[1]:.1f} ms | {t1 / times[0]:.2f}x / {t1 / times[1]:.2f}x |")
    print("\nMeasured here (one machine, 2 cores, ranks over shared memory, --oversubscribe):\n")
    print("| ranks | threads per rank | step | images/s |")
    print("|---:|---:|---:|---:|")
    for r in runs:
        print(f"| {r['ranks']} | {r['run']['threads']} | {1000 * step[r['ranks']]:.1f} ms | {r['run']['images_per_s']:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1])
