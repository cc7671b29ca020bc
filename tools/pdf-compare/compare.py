#!/usr/bin/env python3
"""Compare pure-Rust PDF libraries with newsdex on the Debian PDFs of scripts/bench-pdf.

    tools/pdf-compare/compare.py [--split design|heldout|all] [--newsdex BINARY]
                                 [--libraries a,b,...] [--work DIR] [--timeout S]

Builds `pdf-compare` (this folder; a cargo project of its own, never built by the main crate's
`cargo build` or `cargo test`) in release mode unless it is already built, fetches and unpacks
the same fixed list of Debian documentation packages as scripts/bench-pdf (its code is reused:
same files, same pdftotext reference, same bag-of-words F1, same >= 200-character rule), then
reads every PDF with each library in a process of its own under a time limit (a hang or crash is
a skip of that file). With --newsdex, newsdex's own text is scored the same way (its `index` on
each package, through scripts/bench-pdf). Prints, per library: files read, skips by kind, F1,
seconds; then licence, releases and dependency weight from cargo's own metadata (`cargo tree`,
the registry index cache that `cargo` keeps, and the unit times of `cargo build --timings`).
Writes every per-file number to WORK/pdf-compare.json. Not part of `cargo test`.
"""
import argparse
import collections
import datetime
import importlib.machinery
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LIBRARIES = ["pdf-extract", "pdf_oxide", "lopdf", "oxidize-pdf"]
# The crate each library name stands for (as cargo spells the package).
CRATES = {"pdf-extract": "pdf-extract", "pdf_oxide": "pdf_oxide", "lopdf": "lopdf",
          "oxidize-pdf": "oxidize-pdf"}


def load_bench():
    loader = importlib.machinery.SourceFileLoader("bench_pdf", str(ROOT / "scripts" / "bench-pdf"))
    spec = importlib.util.spec_from_loader("bench_pdf", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def build():
    binary = HERE / "target" / "release" / "pdf-compare"
    if not binary.exists():
        subprocess.run(["cargo", "build", "--release", "--timings"], cwd=HERE, check=True)
    return binary


def reference(bench, pdf, cache):
    """pdftotext's text, kept beside the PDFs so reruns do not read every file again."""
    text_file = cache / (pdf.parent.name + "--" + pdf.name + ".txt")
    seconds_file = text_file.with_suffix(".seconds")
    if text_file.exists() and seconds_file.exists():
        return text_file.read_text(), float(seconds_file.read_text())
    text, seconds = bench.reference(pdf)
    text_file.write_text(text)
    seconds_file.write_text(str(seconds))
    return text, seconds


def run_library(binary, library, pdf, timeout):
    try:
        r = subprocess.run([str(binary), library, str(pdf)], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return "", f"over {timeout} s", float(timeout)
    # Some libraries print to standard output themselves; the harness's own line is the JSON
    # object with a "library" key, and a process that died before printing it has none.
    for line in reversed(r.stdout.splitlines()):
        if line.startswith('{"'):
            try:
                j = json.loads(line)
            except ValueError:
                continue
            if "library" in j:
                return j["text"], j["error"], j["seconds"]
    return "", f"died (exit {r.returncode})", 0.0


def skip_kind(error):
    if not error:
        return "no text"
    if error == "panic":
        return "panic"
    if error.startswith("over "):
        return "timeout"
    if error.startswith("died"):
        return "crash"
    return "error"


def summarise(rows, key):
    readable = [r for r in rows if r["reference_chars"] >= 200]
    read = [r[key]["f1"] for r in readable if not r[key]["skip"]]
    skips = collections.Counter(r[key]["skip"] for r in readable if r[key]["skip"])
    n = len(readable)
    return {
        "readable": n,
        "skipped": sum(skips.values()),
        "skips": dict(skips),
        "mean_f1": statistics.mean(read) if read else 0.0,
        "median_f1": statistics.median(read) if read else 0.0,
        "below_0_8": sum(1 for f in read if f < 0.8) / max(len(read), 1),
        "mean_f1_skips_as_0": sum(read) / n if n else 0.0,
        "seconds": sum(r[key]["seconds"] for r in rows),
    }


def index_entry(crate):
    """The registry index lines cargo keeps for a crate (one JSON object per version)."""
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    name = crate.lower()
    prefix = (f"{len(name)}" if len(name) <= 2 else
              f"3/{name[0]}" if len(name) == 3 else f"{name[:2]}/{name[2:4]}")
    for cache in (home / "registry" / "index").glob("*/.cache"):
        f = cache / prefix / name
        if f.exists():
            versions = []
            for line in f.read_bytes().split(b"\x00"):
                line = line.strip()
                if line.startswith(b"{"):
                    try:
                        versions.append(json.loads(line))
                    except ValueError:
                        pass
            return versions
    return []


def unit_seconds():
    """Compile seconds per crate name from the newest `cargo build --timings` report."""
    reports = sorted((HERE / "target" / "cargo-timings").glob("cargo-timing-*.html"))
    if not reports:
        return {}
    html = reports[-1].read_text()
    m = re.search(r"const UNIT_DATA = (\[.*?\]);", html, re.S)
    if not m:
        return {}
    seconds = collections.Counter()
    for unit in json.loads(m.group(1)):
        seconds[unit["name"].replace("_", "-")] += unit.get("duration", 0.0)
    return seconds


def weight(crate, version):
    """Crates a dependency on `crate` brings (itself included) and their compile seconds."""
    r = subprocess.run(["cargo", "tree", "-e", "normal", "--prefix", "none", "-p",
                        f"{crate}@{version}",
                        "--target", "x86_64-unknown-linux-gnu"], cwd=HERE, capture_output=True,
                       text=True)
    names = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    units = unit_seconds()
    return names, sum(units.get(n.replace("_", "-"), 0.0) for n in names)


def newsdex_crates():
    """The crates newsdex itself builds on, so a candidate's new ones can be told apart."""
    r = subprocess.run(["cargo", "tree", "-e", "normal", "--prefix", "none", "-p", "newsdex",
                        "--target", "x86_64-unknown-linux-gnu"], cwd=ROOT, capture_output=True,
                       text=True)
    return {line.split()[0] for line in r.stdout.splitlines() if line.strip()}


def maintenance(crate):
    versions = [v for v in index_entry(crate) if not v.get("yanked")]
    if not versions:
        return {}
    newest = versions[-1]
    times = sorted(v["pubtime"] for v in versions if v.get("pubtime"))
    year_ago = (datetime.datetime.now(datetime.timezone.utc)
                - datetime.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"version": newest["vers"], "versions": len(versions),
            "last_release": times[-1][:10] if times else "?",
            "releases_last_year": sum(1 for t in times if t >= year_ago)}


def licence(crate):
    """The licence and version of the crate as this project takes it (the newest version in the
    lock file, as lopdf is there twice: ours through pdf-extract and the candidate)."""
    r = subprocess.run(["cargo", "metadata", "--format-version", "1"], cwd=HERE,
                       capture_output=True, text=True)
    found = [(tuple(int(x) for x in re.findall(r"\d+", p["version"])[:3]), p)
             for p in json.loads(r.stdout)["packages"] if p["name"] == crate]
    if not found:
        return "?", "?"
    newest = max(found, key=lambda f: f[0])[1]
    return newest.get("license") or "?", newest["version"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["design", "heldout", "all"], default="all")
    ap.add_argument("--newsdex", type=Path, help="also score this newsdex binary")
    ap.add_argument("--newsdex-json", type=Path, nargs="*", default=[],
                    help="or take newsdex's per-file scores from these scripts/bench-pdf "
                         "outputs (WORK/pdf-bench.json) of a run on the same files")
    ap.add_argument("--libraries", default=",".join(LIBRARIES))
    ap.add_argument("--work", type=Path, default=Path(os.environ.get(
        "BENCH_DIR", Path(tempfile.gettempdir()) / "newsdex-pdf-bench")))
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds a file, per library")
    args = ap.parse_args()
    bench = load_bench()
    for tool in ("apt-get", "dpkg-deb", "pdftotext", "cargo"):
        if not bench.shutil.which(tool):
            print(f"skipping: {tool} is not installed")
            return 0
    binary = build()
    libraries = [x for x in args.libraries.split(",") if x]
    chosen = [p for p in bench.PACKAGES if args.split == "all" or bench.split_of(p) == args.split]
    args.work.mkdir(parents=True, exist_ok=True)
    fetched = bench.fetch(chosen, args.work)
    cache = args.work / "reference"
    cache.mkdir(exist_ok=True)
    rows, ref_seconds = [], 0.0
    earlier = {}
    for path in args.newsdex_json:
        bench_run = json.loads(path.read_text())
        for r in bench_run["files"]:
            earlier[(r["package"], r["file"])] = r
        # Time per file is not in those outputs; the whole runs' time is.
        earlier[("", "seconds")] = earlier.get(("", "seconds"), 0.0) + bench_run["seconds"]["newsdex"]
    for p in chosen:
        version, files = fetched[p]
        ours = bench.newsdex(args.newsdex, args.work / "pdfs" / p, args.work) if args.newsdex \
            else None
        for f in files:
            ref, t = reference(bench, f, cache)
            ref_seconds += t
            row = {"package": p, "file": f.name, "split": bench.split_of(p),
                   "reference_chars": len(ref.strip())}
            for lib in libraries:
                text, error, seconds = run_library(binary, lib, f, args.timeout)
                got = text.strip()
                row[lib] = {"f1": bench.f1(ref, text) if got else 0.0,
                            "skip": "" if got else skip_kind(error), "error": error[:200],
                            "seconds": seconds}
            if (p, f.name) in earlier:
                r = earlier[(p, f.name)]
                row["newsdex"] = {"f1": r["f1"], "skip": r["skip"], "error": r.get("detail", ""),
                                  "seconds": 0.0}
            if ours is not None:
                texts, skips, details, _ = ours
                got = texts.get(f.name, "")
                row["newsdex"] = {"f1": bench.f1(ref, got) if got else 0.0,
                                  "skip": skips.get(f.name) or ("" if got else "not indexed"),
                                  "error": details.get(f.name, ""), "seconds": 0.0}
            rows.append(row)
        if ours is not None:
            # newsdex is timed per package (one `index` run), not per file.
            rows[-1]["newsdex"]["seconds"] = ours[3]
        print(f"  {p}: {len(files)} files", file=sys.stderr)
    if earlier and rows and "newsdex" in rows[0]:
        rows[0]["newsdex"]["seconds"] = earlier[("", "seconds")]
    keys = (["newsdex"] if args.newsdex or earlier else []) + libraries
    summaries = {k: summarise(rows, k) for k in keys}
    print(f"\nsplit {args.split}: {len(rows)} PDFs in {len(chosen)} packages; pdftotext "
          f"{ref_seconds:.1f} s; load average {os.getloadavg()[0]:.1f}")
    print("\n| | " + " | ".join(keys) + " |")
    print("| --- |" + " --- |" * len(keys))
    s = summaries
    first = s[keys[0]]
    print(f"| files pdftotext reads (>= 200 characters) | {first['readable']} |"
          + " |" * (len(keys) - 1))
    print("| skipped of those (no text, error, panic, timeout) | " + " | ".join(
        f"{s[k]['skipped']}" + (" (" + ", ".join(f"{why} {n}" for why, n in sorted(
            s[k]['skips'].items())) + ")" if s[k]['skips'] else "") for k in keys) + " |")
    print("| mean / median F1 where both extract | " + " | ".join(
        f"{s[k]['mean_f1']:.3f} / {s[k]['median_f1']:.3f}" for k in keys) + " |")
    print("| share of those with F1 < 0.8 | " + " | ".join(
        f"{100 * s[k]['below_0_8']:.0f}%" for k in keys) + " |")
    print("| mean F1 counting skips as 0 | " + " | ".join(
        f"{s[k]['mean_f1_skips_as_0']:.3f}" for k in keys) + " |")
    print("| seconds, all files (/ pdftotext) | " + " | ".join(
        f"{s[k]['seconds']:.1f} ({s[k]['seconds'] / max(ref_seconds, 1e-9):.2f})"
        for k in keys) + " |")
    print("\n| crate | version | licence | releases (last year) | last release "
          "| crates it brings (new to newsdex) | compile seconds of those (one core) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    ours = newsdex_crates()
    for lib in libraries:
        crate = CRATES[lib]
        lic, used = licence(crate)
        m = maintenance(crate)
        names, secs = weight(crate, used)
        print(f"| {crate} | {used} (newest {m.get('version', '?')}) | {lic} | "
              f"{m.get('versions', '?')} ({m.get('releases_last_year', '?')}) | "
              f"{m.get('last_release', '?')} | {len(names)} ({len(names - ours)}) | {secs:.0f} |")
    (args.work / "pdf-compare.json").write_text(json.dumps(
        {"split": args.split, "summaries": summaries, "files": rows,
         "pdftotext_seconds": ref_seconds, "when": time.strftime("%Y-%m-%d %H:%M:%S")},
        indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
