"""Scores the report reader against commitments a careful person listed, as a reviewer would.

For each report: the reader's commitments are matched one-to-one to the expected ones by the
overlap of their words (common Dutch stop words left out; Dice coefficient, best pairs first,
a pair counts from `MATCH_THRESHOLD`). Then:
- recall: matched / expected;
- false positives: extracted commitments that match nothing expected;
- bewindspersoon right: of the matched ones, those attributed to the bewindspersoon the
  reviewer names (the reviewer's annotations file; else the report's only bewindspersoon);
- deadline found: of the matched ones whose expected text words a deadline, those where the
  reader's deadline wording is one the reviewer accepts (either contains the other);
- read time: reading the report from bytes, the fastest of `TIMING_RUNS`.

A last figure reads a report padded to `PADDED_BYTES` with copies of its own turns, to show the
time a large report takes. No Django, no database: `bench/capture.py` prints the result.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from parliament.vlos import DebateReport, read_report

ROOT = Path(__file__).resolve().parent.parent
SHARED_REPORTS = ROOT.parent / "shared" / "data" / "vlos"
EXPECTED_FILE = ROOT / "tests" / "data" / "vlos_expected_commitments.json"
ANNOTATIONS_FILE = ROOT / "tests" / "data" / "vlos" / "reviewer_annotations.json"

MATCH_THRESHOLD = 0.5
TIMING_RUNS = 3
PADDED_BYTES = 550 * 1024

RECALL_MIN = 0.95
FALSE_POSITIVES_MAX_PER_REPORT = 1
BEWINDSPERSOON_MIN = 0.9
DEADLINE_MIN = 0.8
PADDED_READ_SECONDS_MAX = 1.0

# Snowball's Dutch stop words: the "common Dutch stop words" a reviewer leaves out.
# fmt: off
STOP_WORDS = frozenset((
    "aan", "al", "alles", "als", "altijd", "andere", "ben", "bij", "daar", "dan", "dat", "de",
    "der", "deze", "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "en", "er", "ge",
    "geen", "geweest", "haar", "had", "heb", "hebben", "heeft", "hem", "het", "hier", "hij",
    "hoe", "hun", "iets", "ik", "in", "is", "ja", "je", "kan", "kon", "kunnen", "maar", "me",
    "meer", "men", "met", "mij", "mijn", "moet", "na", "naar", "niet", "niets", "nog", "nu",
    "of", "om", "omdat", "onder", "ons", "ook", "op", "over", "reeds", "te", "tegen", "toch",
    "toen", "tot", "u", "uit", "uw", "van", "veel", "voor", "want", "waren", "was", "wat",
    "werd", "wezen", "wie", "wil", "worden", "wordt", "zal", "ze", "zelf", "zich", "zij",
    "zijn", "zo", "zonder", "zou",
))
# fmt: on


def tokens(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in STOP_WORDS}


def similarity(first: str, second: str) -> float:
    a, b = tokens(first), tokens(second)
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def match(extracted: list[str], expected: list[str]) -> list[tuple[int, int, float]]:
    """One-to-one pairs (extracted index, expected index, score), best pairs first."""
    scored = sorted(
        (
            (similarity(found, wanted), i, j)
            for i, found in enumerate(extracted)
            for j, wanted in enumerate(expected)
        ),
        reverse=True,
    )
    used_found, used_wanted, pairs = set(), set(), []
    for score, i, j in scored:
        if score < MATCH_THRESHOLD:
            break
        if i not in used_found and j not in used_wanted:
            used_found.add(i)
            used_wanted.add(j)
            pairs.append((i, j, score))
    return pairs


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def deadline_accepted(found: str, accepted: list[str]) -> bool:
    found = _normal(found)
    return bool(found) and any(
        found in _normal(wording) or _normal(wording) in found for wording in accepted
    )


@dataclass
class ReportScore:
    file: str
    expected: int
    found: int
    matched: int
    false_positives: int
    bewindspersoon_right: int
    deadline_expected: int
    deadline_found: int
    read_ms: float
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    wrong_bewindspersoon: list[str] = field(default_factory=list)
    deadline_missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0


@dataclass
class Evaluation:
    reports: list[ReportScore]
    padded_bytes: int
    padded_read_ms: float
    padded_same_commitments: bool

    def total(self, name: str) -> int:
        return sum(getattr(report, name) for report in self.reports)

    @property
    def recall(self) -> float:
        return self.total("matched") / max(self.total("expected"), 1)

    @property
    def bewindspersoon_rate(self) -> float:
        return self.total("bewindspersoon_right") / max(self.total("matched"), 1)

    @property
    def deadline_rate(self) -> float:
        return self.total("deadline_found") / max(self.total("deadline_expected"), 1)

    @property
    def most_false_positives(self) -> int:
        return max((report.false_positives for report in self.reports), default=0)

    def targets(self) -> list[tuple[str, str, str, bool]]:
        """(figure, measured, target, met) for each target."""
        return [
            ("recall", f"{self.recall:.2f}", f">= {RECALL_MIN}", self.recall >= RECALL_MIN),
            (
                "false positives per report (most)",
                str(self.most_false_positives),
                f"<= {FALSE_POSITIVES_MAX_PER_REPORT}",
                self.most_false_positives <= FALSE_POSITIVES_MAX_PER_REPORT,
            ),
            (
                "bewindspersoon right",
                f"{self.bewindspersoon_rate:.2f}",
                f">= {BEWINDSPERSOON_MIN}",
                self.bewindspersoon_rate >= BEWINDSPERSOON_MIN,
            ),
            (
                "deadline wording found",
                f"{self.deadline_rate:.2f}",
                f">= {DEADLINE_MIN}",
                self.deadline_rate >= DEADLINE_MIN,
            ),
            (
                f"read a {self.padded_bytes // 1024} KB report",
                f"{self.padded_read_ms:.0f} ms",
                f"< {PADDED_READ_SECONDS_MAX * 1000:.0f} ms",
                self.padded_read_ms < PADDED_READ_SECONDS_MAX * 1000
                and self.padded_bytes >= PADDED_BYTES
                and self.padded_same_commitments,
            ),
        ]

    @property
    def passed(self) -> bool:
        return all(met for *_, met in self.targets())


def _timed_read(data: bytes, file: str) -> tuple[DebateReport, float]:
    best, report = float("inf"), None
    for _ in range(TIMING_RUNS):
        started = time.perf_counter()
        report = read_report(data, file=file)
        best = min(best, time.perf_counter() - started)
    return report, best * 1000


def padded(data: bytes, size: int) -> bytes:
    """The report with copies of its first speaking turn added until it is `size` bytes.

    The copies go right after the original, so the read-out at the end stays where it was.
    """
    text = data.decode("utf-8-sig")
    start = text.find("<activiteitdeel ")
    end = text.find("</activiteitdeel>", start) + len("</activiteitdeel>")
    if start < 0 or end <= start:
        raise ValueError("the report has no turns to copy")
    block = text[start:end]
    copies = max(0, -(-(size - len(data)) // len(block.encode())))
    return (text[:end] + block * copies + text[end:]).encode()


def evaluate(
    reports_dir: Path = SHARED_REPORTS,
    expected_file: Path = EXPECTED_FILE,
    annotations_file: Path | None = ANNOTATIONS_FILE,
) -> Evaluation:
    expected = json.loads(Path(expected_file).read_text(encoding="utf-8"))["commitments"]
    annotations = {}
    if annotations_file is not None and Path(annotations_file).exists():
        for entry in json.loads(Path(annotations_file).read_text(encoding="utf-8"))["commitments"]:
            annotations[(entry["file"], entry["text"])] = entry
    by_file: dict[str, list[dict]] = {}
    for record in expected:
        by_file.setdefault(record["file"], []).append(record)
    scores = []
    largest = b""
    for file in sorted(by_file):
        data = (Path(reports_dir) / file).read_bytes()
        largest = max(largest, data, key=len)
        report, read_ms = _timed_read(data, file)
        scores.append(_score(report, by_file[file], annotations, read_ms))
    big = padded(largest, PADDED_BYTES)
    original = read_report(largest, file="largest.xml")
    big_report, big_ms = _timed_read(big, "padded.xml")
    same = [c.text for c in big_report.commitments] == [c.text for c in original.commitments]
    return Evaluation(
        reports=scores, padded_bytes=len(big), padded_read_ms=big_ms, padded_same_commitments=same
    )


def _score(
    report: DebateReport, wanted: list[dict], annotations: dict, read_ms: float
) -> ReportScore:
    found = report.commitments
    pairs = match([c.text for c in found], [w["text"] for w in wanted])
    matched_wanted = {j for _, j, _ in pairs}
    matched_found = {i for i, _, _ in pairs}
    score = ReportScore(
        file=report.file,
        expected=len(wanted),
        found=len(found),
        matched=len(pairs),
        false_positives=len(found) - len(pairs),
        bewindspersoon_right=0,
        deadline_expected=0,
        deadline_found=0,
        read_ms=read_ms,
        missed=[w["text"] for j, w in enumerate(wanted) if j not in matched_wanted],
        extra=[c.text for i, c in enumerate(found) if i not in matched_found],
    )
    for i, j, _ in pairs:
        record, captured = wanted[j], found[i]
        annotation = annotations.get((record["file"], record["text"]), {})
        who = annotation.get("bewindspersoon")
        if who is None and len(record.get("ministers", [])) == 1:
            who = record["ministers"][0].split(" (")[0]
        made_by = captured.bewindspersoon.name if captured.bewindspersoon else ""
        if who is not None and made_by == who:
            score.bewindspersoon_right += 1
        else:
            score.wrong_bewindspersoon.append(f"{record['text']} → {made_by or '-'}")
        accepted = annotation.get("deadline") or []
        if accepted:
            score.deadline_expected += 1
            if deadline_accepted(captured.deadline_wording, accepted):
                score.deadline_found += 1
            else:
                score.deadline_missed.append(
                    f"{record['text']} → {captured.deadline_wording or '-'}"
                )
    return score
