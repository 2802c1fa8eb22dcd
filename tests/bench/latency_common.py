"""What the latency benchmarks share: the satu binary, percentiles, the machine line, and how
a run's figures are appended to its section of tests/bench/RESULTS.md."""

import datetime
import os
import platform

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def default_satu():
    """The release build: $CARGO_TARGET_DIR (or target/)/release/satu."""
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    return os.path.join(target, "release", "satu")


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def machine():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"nproc {os.cpu_count()}, Linux {platform.release()}, {cpu}"


def record(section, intro, summary, goals):
    """Appends one dated entry to `## section` of RESULTS.md (made with `intro` when new),
    keeping the section's entries together even when other sections follow it."""
    path = os.path.join(REPO, "tests/bench/RESULTS.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    heading = f"\n## {section}\n"
    if heading not in text:
        text = text.rstrip("\n") + "\n" + heading + "\n" + intro
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    entry = f"\n- {date}, {machine()}: {summary}. {goals}.\n"
    head, _, tail = text.partition(heading)
    body, sep, rest = tail.partition("\n## ")
    text = head + heading + body.rstrip("\n") + "\n" + entry + (sep + rest if sep else "")
    with open(path, "w") as f:
        f.write(text)
    print(f"recorded in {path}")
