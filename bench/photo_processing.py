"""Photo processing: one 12 MP phone JPEG through the album pipeline vs a plain draft() decode.

    .venv/bin/python bench/photo_processing.py        # 3 processes x 7 runs of each kind

Each kind runs in its own fresh Python process, so the peak resident memory (ru_maxrss)
is that of the work measured; there it runs once to warm up (codecs, caches) and then
`--runs` times, and the median time counts: "draft" decodes the JPEG with
`draft('RGB', (1280, 960))` (what the decoder does at best for our largest variant: half
scale, 2,016 px); "process" runs `albums.photos.prepare` (the worker's step: decode with
the shortcut, turn upright, strip, resize, encode every WebP and JPEG variant). Memory is
reported as the process's peak and as the growth over the same process just before the
work (after the imports). Time is measured as wall time and as the process's CPU time;
the limit is checked on CPU time, which waiting for a busy machine's cores does not
inflate (both kinds are single-threaded, so on an idle machine the two agree). Prints
the medians and the ratios; exits 1 when processing takes more than 3 x the draft
decode or peaks above 150 MB.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_RATIO = 3.0
MAX_PEAK_MB = 150


def twelve_megapixel_jpeg():
    """A 4032 x 3024 phone-like photo: a sunny scene with sensor noise, about 4 MB as JPEG."""
    import io

    from PIL import Image, ImageChops, ImageDraw

    size = (4032, 3024)
    scene = Image.new("RGB", (403, 302))
    draw = ImageDraw.Draw(scene)
    for y in range(302):
        draw.line([(0, y), (403, y)], fill=(90 + y // 3, 140, 220 - y // 2))
    draw.ellipse((40, 60, 200, 220), fill=(240, 190, 40))
    draw.rectangle((220, 150, 380, 290), fill=(60, 150, 70))
    scene = scene.resize(size, Image.Resampling.BICUBIC)
    noise = Image.merge("RGB", [Image.effect_noise(size, 16) for _ in range(3)])
    buffer = io.BytesIO()
    ImageChops.add(scene, noise, offset=-128).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _peak_mb():
    """This process's peak resident memory in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind, path, runs):
    """In this (fresh) process: the median seconds and the memory of `kind` on the file."""
    import io

    from PIL import Image

    data = Path(path).read_bytes()
    if kind == "process":
        from config import TestConfig
        from schoolportal import create_app
        from schoolportal.albums import photos

        app = create_app(type("BenchConfig", (TestConfig,), {
            "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/bench.db"}))

        def work():
            with app.app_context():
                prepared = photos.prepare(io.BytesIO(data))
            return {"widths": prepared.widths,
                    "bytes": sum(map(len, prepared.files.values()))}
    else:
        def work():
            image = Image.open(io.BytesIO(data))
            image.draft("RGB", (1280, 960))
            image.load()
            return {"size": image.size}

    before = _peak_mb()
    detail = work()  # warm up
    seconds, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {"seconds": statistics.median(seconds), "cpu": statistics.median(cpu),
            "peak_mb": _peak_mb(), "growth_mb": _peak_mb() - before, **detail}


def run(kind, path, runs):
    """The measurements of one kind, in a new Python process."""
    output = subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, __file__, "--measure", kind, str(path), str(runs)], cwd=ROOT,
        check=True, capture_output=True, text=True, timeout=300).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv=None):
    """Measure both kinds `--runs` times, print the medians, check the limits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per process")
    parser.add_argument("--rounds", type=int, default=3, help="processes per kind")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--make", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        kind, path, runs = args.measure
        print(json.dumps(measure(kind, path, int(runs))))
        return 0
    if args.make:
        Path(args.make).write_bytes(twelve_megapixel_jpeg())
        return 0
    # Made in a process of its own: Linux hands a parent's peak memory (ru_maxrss) down to
    # its children, and drawing the photo takes more than decoding it.
    path = Path(tempfile.mkdtemp(prefix="photo-bench-")) / "12mp.jpg"
    subprocess.run([sys.executable, __file__, "--make", str(path)], check=True,  # noqa: S603
                   timeout=120)
    # Alternating, so a busy moment of the machine hits both kinds alike.
    results = {"draft": [], "process": []}
    for _ in range(args.rounds):
        for kind in results:
            results[kind].append(run(kind, path, args.runs))
    figures = {}
    for kind, found in results.items():
        figures[f"{kind}_ms"] = round(statistics.median(r["seconds"] for r in found) * 1000, 1)
        figures[f"{kind}_cpu_ms"] = round(statistics.median(r["cpu"] for r in found) * 1000, 1)
        figures[f"{kind}_peak_mb"] = round(max(r["peak_mb"] for r in found), 1)
        figures[f"{kind}_growth_mb"] = round(max(r["growth_mb"] for r in found), 1)
    figures["ratio"] = round(figures["process_ms"] / figures["draft_ms"], 2)
    figures["cpu_ratio"] = round(figures["process_cpu_ms"] / figures["draft_cpu_ms"], 2)
    figures["widths"] = results["process"][0]["widths"]
    figures["jpeg_mb"] = round(path.stat().st_size / 1e6, 2)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))
    ok = figures["cpu_ratio"] <= MAX_RATIO and figures["process_peak_mb"] <= MAX_PEAK_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
