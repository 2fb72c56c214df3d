"""Fault soak, long: a month of a group's activity for 200 members while Discord fails.

The bot runs as its own process against the Discord stand-in, with a clock that runs fast.
5% of Discord's REST answers are 500, 503 or 429 at random and the bot is killed with SIGKILL
twice at random moments. At the end every reminder, card, result, role change and welcome
must have been delivered exactly once or recorded as undeliverable with its reason, and no
vote or RSVP anyone was told was saved may be lost or doubled.
Run: .venv/bin/python bench/bench_fault_soak.py [--members 200] [--weeks 4] [--seed 1]
Prints the counts; exits 1 if any promise was broken.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.sandbox.soak import run_soak
from bot.sandbox.soak_report import SoakPlan

SPEC = Path(__file__).resolve().parents[2] / "shared" / "discord-api-spec" / "openapi.json"


def main() -> int:
    """Run the long soak and print what happened."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    plan = SoakPlan(
        members=args.members,
        fault_rate=args.fault_rate,
        kills=2,
        speed=3600.0,
        seed=args.seed,
        cycles=args.weeks,
        cycle_hours=7 * 24,
        poll_hours=72,
        session_hours=5 * 24,
    )
    workdir = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    began = time.perf_counter()
    report = asyncio.run(run_soak(plan, workdir, SPEC if SPEC.exists() else None))
    print(
        f"fault soak: {args.members} members, {args.weeks} weeks, seed {args.seed}, "
        f"{time.perf_counter() - began:.0f} s (bot log: {workdir / 'bot.log'})"
    )
    for line in report.lines():
        print("  " + line)
    broken = report.problems or report.delivered_twice
    print("RESULT:", "promises broken" if broken else "everything delivered once or recorded")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
