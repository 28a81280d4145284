"""The counting of `python -m bench.load`: which progress updates were lost or doubled."""

from collections import Counter

from bench.load import read_logs, reconcile, to_lua

MARK = "[bench-load run]"


def _note(connection: int, number: int) -> str:
    return f"{MARK} c{connection} n{number}"


def test_every_saved_post_stored_once_is_neither_lost_nor_doubled():
    posts = {_note(1, 1): "accepted", _note(1, 2): "accepted", _note(2, 1): "refused"}
    stored = Counter({_note(1, 1): 1, _note(1, 2): 1})

    counted = reconcile(posts, stored)

    assert (counted.accepted, counted.stored, counted.lost, counted.doubled) == (2, 2, 0, 0)


def test_saved_post_missing_from_the_database_is_lost():
    posts = {_note(1, 1): "accepted", _note(1, 2): "accepted"}

    counted = reconcile(posts, Counter({_note(1, 1): 1}))

    assert counted.lost == 1
    assert counted.doubled == 0


def test_post_stored_twice_or_stored_although_refused_is_doubled():
    posts = {_note(1, 1): "accepted", _note(1, 2): "refused", _note(1, 3): "rejected"}
    stored = Counter({_note(1, 1): 2, _note(1, 2): 1})

    counted = reconcile(posts, stored)

    assert counted.doubled == 2
    assert counted.lost == 0


def test_post_without_answer_is_neither_lost_nor_doubled_whether_stored_or_not():
    posts = {_note(1, 1): None, _note(1, 2): None, _note(1, 3): "accepted"}
    stored = Counter({_note(1, 1): 1, _note(1, 3): 1})

    counted = reconcile(posts, stored)

    assert (counted.lost, counted.doubled) == (0, 0)
    assert (counted.unanswered_stored, counted.unanswered_not_stored) == (1, 1)


def test_logs_give_latency_and_outcome_per_kind_and_each_posts_fate():
    lines = [
        "done list 200 12500 ok /commitments/?status=open&q=zorg&status=lapsed",
        "done detail 500 3000 error /commitments/7/",
        f"sent post {_note(1, 1)}",
        f"done post 302 40000 accepted {_note(1, 1)}",
        f"sent post {_note(1, 2)}",
        f"lost post {_note(1, 2)}",
        "lost list /commitments/",
        f"sent post {_note(1, 3)}",  # still in flight when wrk stopped
    ]

    tally = read_logs(lines)

    assert tally.latencies_ms == {"list": [12.5], "detail": [3.0], "post": [40.0]}
    assert tally.outcomes[("detail", "error")] == 1
    assert tally.posts == {_note(1, 1): "accepted", _note(1, 2): None, _note(1, 3): None}
    assert tally.unanswered == Counter({"post": 2, "list": 1})
    assert tally.shapes_ms == {"list?q+status": [12.5], "detail": [3.0]}


def test_plan_is_written_as_a_lua_table_with_strings_escaped():
    assert to_lua({"a": [1, 'say "hi"\\']}) == '{["a"]={1,"say \\"hi\\"\\\\"}}'
