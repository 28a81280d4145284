"""`python -m bench.capture`: how well the debate-report reader captures commitments.

Reads the six shared committee-debate reports (../shared/data/vlos/, or --reports DIR) and
scores the commitments found against tests/data/vlos_expected_commitments.json, as
`parliament/evaluation.py` describes. Prints a table per report and the totals against the
targets; exits with status 1 when a target is missed. `make evaluate-capture` runs it.
"""

import argparse
import sys
from pathlib import Path

from parliament import evaluation


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capture", description=__doc__)
    parser.add_argument(
        "--reports",
        type=Path,
        default=None,
        help=f"folder with the reports (default: {evaluation.SHARED_REPORTS} when present)",
    )
    parser.add_argument("--expected", type=Path, default=evaluation.EXPECTED_FILE)
    parser.add_argument("--annotations", type=Path, default=evaluation.ANNOTATIONS_FILE)
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and extras")
    args = parser.parse_args(argv)
    reports = args.reports or evaluation.SHARED_REPORTS
    if not reports.is_dir():
        parser.error(f"no reports at {reports}; give the folder with --reports")
    result = evaluation.evaluate(reports, args.expected, args.annotations)
    print(_table(result, verbose=args.verbose))
    return 0 if result.passed else 1


def _table(result: evaluation.Evaluation, *, verbose: bool) -> str:
    header = (
        "report", "expected", "found", "matched", "recall", "false pos", "bewindsp.", "deadline",
        "read ms",
    )  # fmt: skip
    rows = [
        (
            report.file.removeprefix("sample_vlos_")[:8],
            str(report.expected),
            str(report.found),
            str(report.matched),
            f"{report.recall:.2f}",
            str(report.false_positives),
            f"{report.bewindspersoon_right}/{report.matched}",
            f"{report.deadline_found}/{report.deadline_expected}",
            f"{report.read_ms:.0f}",
        )
        for report in result.reports
    ]
    rows.append(
        (
            "total",
            str(result.total("expected")),
            str(result.total("found")),
            str(result.total("matched")),
            f"{result.recall:.2f}",
            str(result.total("false_positives")),
            f"{result.total('bewindspersoon_right')}/{result.total('matched')}",
            f"{result.total('deadline_found')}/{result.total('deadline_expected')}",
            f"{sum(r.read_ms for r in result.reports):.0f}",
        )
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(len(lines) - 1, "  ".join("-" * w for w in widths))
    lines.append("")
    for figure, measured, target, met in result.targets():
        lines.append(f"{'ok  ' if met else 'MISS'} {figure}: {measured} (target {target})")
    if not result.padded_same_commitments:
        lines.append("MISS the padded report did not yield the same commitments as the original")
    if verbose:
        for report in result.reports:
            for label, texts in (
                ("missed", report.missed),
                ("extra", report.extra),
                ("bewindspersoon", report.wrong_bewindspersoon),
                ("deadline", report.deadline_missed),
            ):
                for text in texts:
                    lines.append(f"{report.file[12:20]} {label}: {text}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
