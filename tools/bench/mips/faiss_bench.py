#!/usr/bin/python3
"""FAISS IndexFlatIP side of tools/bench/mips: times exact MIPS on the same raw float32 files that
the TypeScript bench uses, under FAISS's default OpenMP threads and with omp_set_num_threads(1)
(much faster for mid-size batches on this 2-core machine), and prints one JSON object.

Usage: /usr/bin/python3 faiss_bench.py --vectors V.f32 --queries Q.f32 --dim D --k 8,100 --batch 1,64
"""
import argparse
import json
import sys
import time

import faiss
import numpy as np


def timed_qps(index, queries, k, min_seconds):
    start = time.perf_counter()
    index.search(queries, k)  # warm-up; a first call that is already long enough is the measurement
    first = time.perf_counter() - start
    if first >= min_seconds:
        return queries.shape[0] / first
    start = time.perf_counter()
    reps = 0
    while True:
        index.search(queries, k)
        reps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and reps >= 2:
            return queries.shape[0] * reps / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vectors", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--dim", type=int, required=True)
    parser.add_argument("--k", required=True, help="comma-separated k values")
    parser.add_argument("--batch", required=True, help="comma-separated query batch sizes")
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--ids-out", help="write int32 ids of the first batch/k for recall checks")
    args = parser.parse_args()

    vectors = np.fromfile(args.vectors, dtype="<f4").reshape(-1, args.dim)
    all_queries = np.fromfile(args.queries, dtype="<f4").reshape(-1, args.dim)
    index = faiss.IndexFlatIP(args.dim)
    index.add(vectors)
    default_threads = faiss.omp_get_max_threads()
    rows = []
    for batch in [int(b) for b in args.batch.split(",")]:
        queries = np.ascontiguousarray(all_queries[:batch])
        for k in [int(k) for k in args.k.split(",")]:
            row = {"batch": batch, "k": k}
            for label, threads in (("default", default_threads), ("omp1", 1)):
                faiss.omp_set_num_threads(threads)
                row[f"qps_{label}"] = timed_qps(index, queries, k, args.min_seconds)
            faiss.omp_set_num_threads(default_threads)
            row["qps_best"] = max(row["qps_default"], row["qps_omp1"])
            rows.append(row)
            print(f"faiss batch={batch} k={k} default={row['qps_default']:.1f} omp1={row['qps_omp1']:.1f} q/s", file=sys.stderr)
    json.dump({"faiss_version": faiss.__version__, "default_threads": default_threads, "n": int(vectors.shape[0]), "rows": rows}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
