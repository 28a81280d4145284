"""The scale run's rounds: each scenario's row is the round with its median p50."""

import json

from bench.scale import merge_rounds


def report(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text(json.dumps({"meta": {"started_at": name}, "scenarios": rows}))
    return path


def test_each_scenario_is_taken_from_the_round_of_its_median(tmp_path):
    paths = [
        report(
            tmp_path,
            f"round-{n}.json",
            [
                {"name": "list", "p50_ms": list_ms, "queries": n},
                {"name": "export", "p50_ms": None, "queries": 2},
            ],
        )
        for n, list_ms in ((1, 30.0), (2, 10.0), (3, 20.0))
    ]
    merged = merge_rounds(paths)
    rows = {row["name"]: row for row in merged["scenarios"]}
    assert rows["list"]["p50_ms"] == 20.0 and rows["list"]["queries"] == 3
    assert rows["list"]["round_p50_ms"] == [10.0, 20.0, 30.0]
    assert rows["export"]["p50_ms"] is None
    assert merged["meta"]["rounds"] == 3


def test_an_even_number_of_rounds_takes_the_lower_middle(tmp_path):
    paths = [
        report(tmp_path, f"r{n}.json", [{"name": "detail", "p50_ms": ms}])
        for n, ms in enumerate((8.0, 12.0))
    ]
    assert merge_rounds(paths)["scenarios"][0]["p50_ms"] == 8.0
    assert merge_rounds([tmp_path / "missing.json"]) is None
