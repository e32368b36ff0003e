"""Run every benchmark: each contender in its own process, contenders alternating, medians.

``python -m bench`` (or ``python bench/run.py``) runs, in order: the GEMM peak, the seed
article's network, digits, the large 200k × 100 problem, start-up times, the memmap epoch,
the GEMM peak again (the better of the two is the peak), and the accuracy comparison. It
prints one table per workload — medians, ratios, accuracy beside time, peak memory of each
child, GFLOP/s against the measured peak — and writes them into ``bench/README.md`` between
the ``bench:results`` markers. Contenders whose library is missing are skipped and named.

Every child runs with the OpenBLAS pins removed and the same thread count for NumPy's BLAS
and PyTorch (``--threads``, default all cores).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, Result, child_env, median, parse_result

README = REPO / "bench" / "README.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"


@dataclass
class Workload:
    """One benchmark module and how to read and judge its children's results."""

    module: str
    title: str
    metric: str
    unit: str
    scale: float = 1.0
    rounds: tuple[int, int] = (2, 3)
    """Processes per contender: (--quick, full)."""
    timeout: float = 300.0
    targets: dict[str, tuple[str, float]] = field(default_factory=dict)
    """contender → (contender it is compared with, largest allowed ratio)."""
    extra_args: tuple[str, ...] = ()


WORKLOADS = {
    "seed": Workload(
        "bench.seed",
        "The article's network, 5000 full-batch epochs (float64)",
        "us_per_epoch",
        "µs/epoch",
        targets={"glassnet": ("numpy-raw", 1.3)},
    ),
    "digits": Workload(
        "bench.digits",
        "digits 64-128-10, Adam, batch 200, 200 epochs (training time)",
        "seconds",
        "s",
        targets={"glassnet-f64": ("sklearn", 0.5), "glassnet-f32": ("torch", 0.7)},
    ),
    "large": Workload(
        "bench.large",
        "200,000 × 100 float32, 100-256-256-1, Adam, batch 256 (per epoch)",
        "seconds_per_epoch",
        "s/epoch",
        rounds=(1, 3),
        timeout=600.0,
        targets={"glassnet": ("torch", 0.9)},
    ),
    "startup": Workload(
        "bench.startup",
        "Start-up (fresh process, wall time)",
        "seconds",
        "s",
        rounds=(1, 1),
    ),
    "memmap": Workload(
        "bench.memmap",
        "One epoch from a 10,000,000-row float32 .npy memmap (32 columns, batch 1024)",
        "seconds",
        "s",
        rounds=(1, 1),
        timeout=900.0,
    ),
}
ORDER = ("seed", "digits", "large", "startup", "memmap", "accuracy")


def available(contenders: Sequence[str], requires: dict[str, str]) -> tuple[list[str], list[str]]:
    """Split contenders into those whose library is installed and those skipped."""
    ok, skipped = [], []
    for name in contenders:
        module = requires.get(name)
        if module is None or importlib.util.find_spec(module) is not None:
            ok.append(name)
        else:
            skipped.append(f"{name} (no `{module}`: pip install 'glassnet[bench]')")
    return ok, skipped


def run_child(
    module: str,
    contender: str,
    args: argparse.Namespace,
    extra: Sequence[str] = (),
    timeout: float = 600.0,
) -> Result:
    """Run one contender in a fresh process; its result, or an ``error``."""
    command = [sys.executable, "-m", module, "--contender", contender, *extra]
    if args.quick:
        command.append("--quick")
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=child_env(args.threads),
            cwd=REPO,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"contender": contender, "error": f"timed out after {timeout:.0f} s"}
    result = parse_result(done.stdout)
    if result is None or done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"contender": contender, "error": f"exit {done.returncode}: {tail[0]}"}
    result["wall_s"] = time.perf_counter() - start
    return result


def run_workload(workload: Workload, args: argparse.Namespace) -> dict[str, Any]:
    """Every available contender, ``rounds`` processes each, order rotated every round."""
    module = importlib.import_module(workload.module)
    contenders, skipped = available(list(module.CONTENDERS), module.REQUIRES)
    rounds = args.rounds or workload.rounds[0 if args.quick else 1]
    results: dict[str, list[Result]] = {c: [] for c in contenders}
    for r in range(rounds):
        order = contenders[r % len(contenders) :] + contenders[: r % len(contenders)]
        for contender in order:
            result = run_child(
                workload.module, contender, args, workload.extra_args, workload.timeout
            )
            results[contender].append(result)
            shown = result.get(workload.metric)
            print(
                f"  {workload.module} {contender:>30}: "
                + (
                    f"{shown * workload.scale:.4g} {workload.unit}"
                    if shown is not None
                    else result.get("error", "?")
                ),
                flush=True,
            )
    return {"results": results, "skipped": skipped, "baseline": module.BASELINE}


def summary(workload: Workload, outcome: dict[str, Any]) -> dict[str, Result]:
    """Per contender: the median of its processes' metric and of their other numbers."""
    table: dict[str, Result] = {}
    for contender, results in outcome["results"].items():
        good = [r for r in results if "error" not in r]
        if not good:
            table[contender] = {"error": results[0].get("error", "failed") if results else "none"}
            continue
        row: Result = {"processes": len(good)}
        # the fastest process: another program on the machine only ever adds time
        row["best"] = min(r[workload.metric] for r in good if workload.metric in r)
        for key in good[0]:
            values = [r[key] for r in good if isinstance(r.get(key), (int, float))]
            if values and not isinstance(good[0][key], bool):
                row[key] = median(values)
            elif key not in row:
                row[key] = good[0][key]
        table[contender] = row
    return table


def _ratio(table: dict[str, Result], metric: str, a: str, b: str) -> float | None:
    if metric in table.get(a, {}) and metric in table.get(b, {}) and table[b][metric]:
        value: float = table[a][metric] / table[b][metric]
        return value
    return None


def _mib(row: Result) -> str:
    return f"{row['peak_rss_mib']:.0f}" if "peak_rss_mib" in row else ""


def format_workload(
    name: str, workload: Workload, outcome: dict[str, Any], peak: dict[str, Any] | None
) -> str:
    """A markdown section: the table, the ratios against the targets, what was skipped."""
    table = summary(workload, outcome)
    baseline = outcome["baseline"]
    metric, unit, scale = workload.metric, workload.unit, workload.scale
    lines = [f"### {workload.title}", ""]
    head = f"| contender | {unit} (median) | × {baseline} | best process |"
    sep = "| --- | --- | --- | --- |"
    has_accuracy = any("accuracy" in row for row in table.values())
    if has_accuracy:
        head += " held-out accuracy |"
        sep += " --- |"
    checks_article = any("max_error_vs_article" in row for row in table.values())
    if checks_article:
        head += " max abs error vs the article's numbers |"
        sep += " --- |"
    if name == "large":
        head += " GFLOP/s | % of float32 GEMM peak |"
        sep += " --- | --- |"
    if name == "memmap":
        head += " rows | file MiB | peak anon MiB | peak file-backed MiB | fit failure |"
        sep += " --- | --- | --- | --- | --- |"
    head += " peak RSS MiB | processes |"
    sep += " --- | --- |"
    lines += [head, sep]
    for contender, row in table.items():
        if "error" in row and metric not in row:
            lines.append(f"| {contender} | failed: {row['error']} |")
            continue
        ratio = _ratio(table, metric, contender, baseline)
        cells = [
            contender,
            f"{row[metric] * scale:.4g}",
            f"{ratio:.2f}" if ratio else "",
            f"{row['best'] * scale:.4g}",
        ]
        if has_accuracy:
            cells.append(f"{100 * row['accuracy']:.2f} %" if "accuracy" in row else "")
        if checks_article:
            cells.append(f"{row.get('max_error_vs_article', float('nan')):.1e}")
        if name == "large":
            gflops = row["gemm_flops_per_epoch"] / row[metric] / 1e9
            share = f"{100 * gflops / peak['best_gflops']:.1f} %" if peak else "no peak"
            cells += [f"{gflops:.1f}", share]
        if name == "memmap":
            cells += [
                f"{row['rows']:,}",
                f"{row['file_mib']:.0f}",
                f"{row['peak_anon_mib']:.0f}",
                f"{row['peak_file_mib']:.0f}",
                row.get("fit_failure") or "",
            ]
        cells += [_mib(row), str(row.get("processes", ""))]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    verdicts = []
    for contender, (other, limit) in workload.targets.items():
        ratio = _ratio(table, metric, contender, other)
        if ratio is not None:
            best = _ratio(table, "best", contender, other)
            verdicts.append(
                f"{contender} / {other} = {ratio:.2f} (target ≤ {limit}: "
                f"{'met' if ratio <= limit else 'NOT met'}; best processes: {best:.2f})"
            )
    if name == "digits" and "sklearn" in table and "accuracy" in table["sklearn"]:
        for contender in ("glassnet-f64", "glassnet-f32"):
            if "accuracy" in table.get(contender, {}):
                diff = 100 * (table[contender]["accuracy"] - table["sklearn"]["accuracy"])
                verdicts.append(
                    f"{contender} accuracy − sklearn = {diff:+.2f} points "
                    f"(target ≥ −0.5: {'met' if diff >= -0.5 else 'NOT met'})"
                )
    if name == "large" and peak and metric in table.get("glassnet", {}):
        share = table["glassnet"]["gemm_flops_per_epoch"] / table["glassnet"][metric] / 1e9
        share = 100 * share / peak["best_gflops"]
        verdicts.append(
            f"glassnet at {share:.1f} % of the float32 GEMM peak "
            f"(target ≥ 35 %: {'met' if share >= 35 else 'NOT met'})"
        )
    if name == "startup":
        from bench.startup import TARGETS

        for contender, limit in TARGETS.items():
            if metric in table.get(contender, {}):
                value = table[contender][metric]
                verdicts.append(
                    f"{contender} = {value:.3f} s (target < {limit} s: "
                    f"{'met' if value < limit else 'NOT met'})"
                )
    if name == "memmap" and "peak_rss_mib" in table.get("glassnet", {}):
        from bench.memmap import RSS_LIMIT_MIB

        value = table["glassnet"]["peak_rss_mib"]
        verdicts.append(
            f"peak RSS {value:.0f} MiB (target < {RSS_LIMIT_MIB:.0f} MiB: "
            f"{'met' if value < RSS_LIMIT_MIB else 'NOT met'})"
        )
    lines += [f"- {v}" for v in verdicts]
    lines += [f"- skipped: {s}" for s in outcome["skipped"]]
    return "\n".join(lines).rstrip() + "\n"


def measure_peak(args: argparse.Namespace) -> Result:
    """The GEMM peak child's result (or an ``error``)."""
    return run_child("bench.gemm_peak", "numpy", args, timeout=300.0)


def format_peak(peaks: list[Result]) -> tuple[str, dict[str, Any] | None]:
    """The machine section and the best float32 peak."""
    good = [p for p in peaks if "error" not in p]
    if not good:
        return f"GEMM peak: failed ({peaks[0].get('error') if peaks else 'not run'})\n", None
    best32 = max((p["float32"] for p in good), key=lambda p: p["best_gflops"])
    best64 = max((p["float64"] for p in good), key=lambda p: p["best_gflops"])
    blas = ", ".join(
        f"{b.get('internal_api')} {b.get('version')} kernel {b.get('architecture')} "
        f"× {b.get('num_threads')} threads"
        for b in good[0].get("blas", [])
    )
    # the quieter of the two measurements of the batch-256 products
    batch_run = max(good, key=lambda p: p["batch_gemm_gflops"])
    batch = batch_run["batch_gemms"]
    lines = [
        f"- BLAS: {blas or 'unknown (threadpoolctl missing)'}",
        f"- GEMM peak (np.matmul {best32['n']}², best of the run): float32 "
        f"{best32['best_gflops']:.0f} GFLOP/s, float64 {best64['best_gflops']:.0f} GFLOP/s",
        f"- the large workload's GEMMs at batch 256, each alone: "
        f"{batch_run['batch_gemm_gflops']:.0f} GFLOP/s overall — "
        + ", ".join(f"{r['product']} {r['shape']} {r['median_gflops']:.0f}" for r in batch),
    ]
    return "\n".join(lines) + "\n", best32


def run_accuracy(args: argparse.Namespace) -> str:
    """The accuracy comparison (one child), as its markdown table."""
    command = [sys.executable, "-m", "bench.accuracy", "--json"]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=child_env(args.threads),
        cwd=REPO,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        return f"accuracy comparison failed: {done.stderr.strip().splitlines()[-1:]}\n"
    return str(json.loads(done.stdout)["markdown"]) + "\n"


def machine_line(args: argparse.Namespace) -> str:
    """Where and how this ran."""
    load = os.getloadavg()
    return (
        f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {args.threads} BLAS/torch threads per child; "
        f"load average at start {load[0]:.2f}"
        + (" — the machine was busy, so timings are noisy" if load[0] > 0.5 else "")
    )


def write_readme(report: str, path: Path = README) -> None:
    """Put ``report`` between the markers of ``path`` (appending them if absent)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{START}\n{report.rstrip()}\n{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def save_raw(args: argparse.Namespace, peaks: list[Result], body: list[Any]) -> Path:
    """Every child's numbers as JSON in bench/results/ (ignored by git), to compare runs."""
    folder = REPO / "bench" / "results"
    folder.mkdir(exist_ok=True)
    path = folder / time.strftime("%Y%m%d-%H%M%S.json", time.gmtime())
    raw = {
        "argv": sys.argv[1:],
        "threads": args.threads,
        "gemm_peak": peaks,
        "workloads": {part[0]: part[1] for part in body if not isinstance(part, str)},
    }
    path.write_text(json.dumps(raw, indent=1))
    print(f"raw results in {path.relative_to(REPO)}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen workloads; print the tables; write them into bench/README.md."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller files")
    parser.add_argument(
        "--only", nargs="+", choices=ORDER, default=list(ORDER), help="run only these workloads"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="BLAS and torch threads in every child (all cores)",
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="processes per contender (default per workload)"
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch bench/README.md")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    sections = [machine_line(args)]
    print(sections[0], flush=True)
    print("measuring the GEMM peak", flush=True)
    peaks = [measure_peak(args)]
    body: list[str] = []
    for name in args.only:
        print(f"{name}:", flush=True)
        if name == "accuracy":
            body.append(
                "### Held-out accuracy against MLPClassifier (bench/accuracy.py)\n\n"
                + run_accuracy(args)
            )
            continue
        outcome = run_workload(WORKLOADS[name], args)
        body.append((name, outcome))  # type: ignore[arg-type]
    peaks.append(measure_peak(args))
    peak_text, peak32 = format_peak(peaks)
    sections[0] += f"; at the end {os.getloadavg()[0]:.2f}"
    sections.append(peak_text.rstrip())
    rendered = [
        part
        if isinstance(part, str)
        else format_workload(part[0], WORKLOADS[part[0]], part[1], peak32)
        for part in body
    ]
    mode = "--quick" if args.quick else "full"
    report = (
        f"Results of `python -m bench{' --quick' if args.quick else ''}` ({mode} run, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{time.perf_counter() - started:.0f} s):\n\n"
        + "\n".join(sections)
        + "\n\n"
        + "\n".join(rendered)
    )
    print()
    print(report)
    save_raw(args, peaks, body)
    if not args.no_write:
        write_readme(report)
        print(f"written to {README.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
