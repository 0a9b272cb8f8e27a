"""The tables of `make bench-mpi` (Benchmarks/mpi_scaling.sh): bytes exchanged per step, the step time expected on
N machines on a 10 and a 100 Gbit/s network, and the step times measured in OUT beside the model's.

Model of one data-parallel step, global batch B, embedding dimension D, P parameters:
  t(N) = (t1 - t_loss) / N + t_loss + bytes(N) / bandwidth + 3 (N - 1) alpha
t1 is the one-process step on one machine (the faster of 1 and THREADS threads here), t_loss the loss + miner on the whole batch (every rank computes it on
the gathered embeddings, so it does not shrink), bytes(N) what one rank sends (and receives) in Open MPI's ring
all-gather of the B x D float embeddings, (N - 1)/N * 4BD, and ring all-reduce of the gradients,
2 (N - 1)/N * 4P, and alpha a per-message latency (20 us, TCP on a switched LAN) over the 3 (N - 1) ring steps.
On one machine of C cores, R ranks of one thread share the cores: the network's work (measured with one thread)
spreads over min(R, C) cores and each core computes the loss for ceil(R / C) ranks; shared memory makes the
transfers negligible. The measurements are the best of the runs in OUT; other work on the machine slows them.
Usage: python3 Benchmarks/mpi_scaling.py OUT
"""
import json
import math
import os
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
            count += math.prod(entry["shape"])
    return count


def main(out):
    out = Path(out)
    runs = [json.loads(line) for line in (out / "steps.jsonl").read_text().splitlines() if line.strip()]
    losses = {x["threads"]: x for x in map(json.loads, (out / "loss.jsonl").read_text().splitlines())}
    batch, dim = next(iter(losses.values()))["batch_size"], next(iter(losses.values()))["dim"]
    params = parameter_count(out / "ranks-1" / "model.safetensors")
    best = {}
    for r in runs:
        key = (r["ranks"], r["run"]["threads"])
        if key not in best or r["run"]["images_per_s"] > best[key]["images_per_s"]:
            best[key] = r["run"]
    step = {key: batch / run["images_per_s"] for key, run in best.items()}
    # The machine of the model: one process on the thread count that ran fastest here.
    threads = min((t for (n, t) in best if n == 1), key=lambda t: step[(1, t)])
    t1, t_loss = step[(1, threads)], losses[threads]["median_ms"] / 1000
    print(f"B = {batch}, D = {dim}, P = {params:,} parameters; one process on {threads} thread(s): "
          f"{1000 * t1:.1f} ms per step, of which the loss and miner {1000 * t_loss:.1f} ms\n")
    print("| machines N | sent per rank per step: all-gather + all-reduce | step at 10 Gbit/s | step at 100 Gbit/s |"
          " speed-up at 10 / 100 Gbit/s |")
    print("|---:|---:|---:|---:|---:|")
    for n in (1, 2, 4, 8, 16, 32):
        gather = (n - 1) / n * 4 * batch * dim
        reduce = 2 * (n - 1) / n * 4 * params
        times = [(t1 - t_loss) / n + t_loss + (gather + reduce) * 8 / bw + 3 * (n - 1) * ALPHA for bw in (10e9, 100e9)]
        print(f"| {n} | {gather / 1e3:.0f} kB + {reduce / 1e6:.2f} MB | {1000 * times[0]:.1f} ms | "
              f"{1000 * times[1]:.1f} ms | {t1 / times[0]:.2f}× / {t1 / times[1]:.2f}× |")
    cores = os.cpu_count() or 1
    one, loss_one = step[(1, 1)], losses[1]["median_ms"] / 1000
    print(f"\nMeasured here ({cores} cores, ranks over shared memory, --oversubscribe; best of the runs in OUT), "
          "beside the model for this machine:\n")
    print("| ranks × threads | step measured | model | rank 0 per step: waiting / all-gather / all-reduce |"
          " exchanged per rank | images/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for (n, t), run in sorted(best.items()):
        # One process: the 1-thread network's work over t threads; R ranks: over min(R, cores) cores.
        if n == 1:
            model = (one - loss_one) / min(t, cores) + losses.get(t, losses[1])["median_ms"] / 1000
        else:
            model = (one - loss_one) / min(n, cores) + loss_one * math.ceil(n / cores)
        exchange, sent = "—", "—"
        if run.get("ranks"):
            exchange = (f"{run['wait_ms_per_step']:.1f} / {run['gather_ms_per_step']:.2f} / "
                        f"{run['reduce_ms_per_step']:.2f} ms")
            sent = f"{((n - 1) / n * 4 * batch * dim + 2 * (n - 1) / n * 4 * params) / 1e6:.2f} MB"
        print(f"| {n} × {t} | {1000 * step[(n, t)]:.1f} ms | {1000 * model:.1f} ms | {exchange} | {sent} | "
              f"{run['images_per_s']:.0f} |")
    print(f"\nload average while measuring: {os.getloadavg()[0]:.1f} on {cores} cores")

if __name__ == "__main__":
    main(sys.argv[1])
