"""The MLflow side of the benchmarks: the same workloads as modelctl's, through MLflow's Python client.

Prints one JSON line (the last line of stdout) for bench/lib/mlflow.ts to parse.
  register --uri URI --count C --prefix P --files JSON   (JSON: {clients: [[artifact paths of a run], ...]})
  metrics  --uri URI --points N --batch B --runs R --sample S
"""
import argparse
import json
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient


def ms_since(start):
    return (time.perf_counter() - start) * 1000.0


def register(args):
    out = {}
    for clients, file_runs in json.loads(args.files).items():
        out[clients] = register_runs(args, int(clients), file_runs)
    print(json.dumps(out))


def register_runs(args, clients, file_runs):
    results = []
    for r, files in enumerate(file_runs):
        name = f"{args.prefix}-{clients}-{r}"
        setup = MlflowClient(tracking_uri=args.uri)
        setup.create_registered_model(name)
        local = threading.local()

        def client():
            # One client and one run per thread, as N independent training jobs would have.
            if not hasattr(local, "client"):
                local.client = MlflowClient(tracking_uri=args.uri)
                local.run = local.client.create_run("0")
            return local.client, local.run

        def job(i):
            c, run = client()
            start = time.perf_counter()
            c.log_artifact(run.info.run_id, files[i], artifact_path=f"v{i}")
            c.create_model_version(name, source=f"{run.info.artifact_uri}/v{i}", run_id=run.info.run_id)
            return ms_since(start)

        # Warm every thread's client and run outside the timed section.
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(lambda _: client(), range(clients * 4)))
            start = time.perf_counter()
            latencies = list(pool.map(job, range(args.count)))
            wall = ms_since(start)
        versions = setup.search_model_versions(f"name='{name}'", max_results=args.count + 10)
        if len(versions) != args.count:
            raise SystemExit(f"expected {args.count} versions of {name}, found {len(versions)}")
        results.append({"wallMs": wall, "latencies": latencies})
    return results


def metrics(args):
    client = MlflowClient(tracking_uri=args.uri)
    out = []
    for _ in range(args.runs):
        run = client.create_run("0")
        run_id = run.info.run_id
        now = int(time.time() * 1000)
        start = time.perf_counter()
        for first in range(0, args.points, args.batch):
            batch = [Metric("loss", 1.0 / (1 + s), now, s) for s in range(first, min(first + args.batch, args.points))]
            client.log_batch(run_id, metrics=batch, synchronous=True)
        log_ms = ms_since(start)
        start = time.perf_counter()
        history = client.get_metric_history(run_id, "loss")
        full_ms = ms_since(start)
        if len(history) != args.points:
            raise SystemExit(f"expected {args.points} points, read {len(history)}")
        # The sampled read the MLflow UI uses for charts (server-side, at most max_results points).
        url = f"{args.uri}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={run_id}&metric_key=loss&max_results={args.sample}"
        start = time.perf_counter()
        with urllib.request.urlopen(url) as res:
            sampled = json.loads(res.read())
        sampled_ms = ms_since(start)
        out.append({"logMs": log_ms, "fullMs": full_ms, "sampledMs": sampled_ms, "sampledPoints": len(sampled.get("metrics", []))})
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("register")
    r.add_argument("--uri", required=True)
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--prefix", required=True)
    r.add_argument("--files", required=True)
    m = sub.add_parser("metrics")
    m.add_argument("--uri", required=True)
    m.add_argument("--points", type=int, required=True)
    m.add_argument("--batch", type=int, default=1000)
    m.add_argument("--runs", type=int, default=1)
    m.add_argument("--sample", type=int, default=1000)
    args = p.parse_args()
    {"register": register, "metrics": metrics}[args.cmd](args)


if __name__ == "__main__":
    main()
