"""`manage.py spam`, after sa-learn and spamc: check, learn, forget, stats, eval."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from comments.models import Comment
from moderation import spam
from moderation.models import Assessment, TokenCount

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "spam" / "youtube-dev.jsonl"
needs_corpus = pytest.mark.skipif(
    not CORPUS.exists() and os.environ.get("CI") != "true",
    reason=f"needs the labelled corpus at {CORPUS}",
)


def run(*args, stdin=""):
    out = io.StringIO()
    call_command("spam", *args, stdout=out, stderr=io.StringIO(), stdin=io.BytesIO(stdin.encode()))
    return out.getvalue()


def check(*lines):
    return [json.loads(line) for line in run("check", stdin="\n".join(lines) + "\n").splitlines()]


def jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_check_writes_one_verdict_line_per_comment_in_order_and_survives_bad_lines(db):
    results = check(
        json.dumps({"author": "Ann", "body": "I enjoyed this, thank you."}),
        "{not json",
        "[1, 2]",
        json.dumps({"body": "CHECK OUT my channel http://a.example http://b.example subscribe!!!"}),
        json.dumps({}),
    )
    assert len(results) == 5
    assert results[1] == {
        "error": "line 2: not JSON (Expecting property name enclosed in double quotes)"
    }
    assert results[2] == {"error": "line 3: not a JSON object"}
    for r in (results[0], results[3], results[4]):
        assert set(r) == {"verdict", "score", "reasons"}
        assert r["verdict"] in {"publish", "hold", "spam"} and 0 <= r["score"] <= 1
    assert results[3]["verdict"] != "publish"
    assert "2 links in the text" in results[3]["reasons"]
    assert results[3]["score"] > results[0]["score"]


def test_check_reads_undecodable_bytes_as_an_error_line(db):
    out = io.StringIO()
    stdin = io.BytesIO(b'{"body": "fine"}\n\xff\xfe\n{"body": "also fine"}\n')
    call_command("spam", "check", stdout=out, stdin=stdin)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [("error" in x) for x in lines] == [False, True, False]


def test_check_stores_nothing(db, seed):
    before = (Comment.objects.count(), Assessment.objects.count(), TokenCount.objects.count())
    check(json.dumps({"body": "hello", "ip": "10.1.1.1", "email": "a@b.example"}))
    after = (Comment.objects.count(), Assessment.objects.count(), TokenCount.objects.count())
    assert before == after


def test_learn_stats_and_forget(db, tmp_path):
    spam_file = jsonl(
        tmp_path / "spam.jsonl", [{"body": f"Buy frobozz pills {n}"} for n in range(6)]
    )
    ham_file = jsonl(tmp_path / "ham.jsonl", [{"body": "What a thoughtful post"}])
    before = check(json.dumps({"body": "cheap frobozz pills"}))[0]["score"]

    assert run("learn", "--spam", spam_file, "--ham", ham_file) == "learned 1 ham and 6 spam\n"
    assert run("stats").splitlines()[0] == "learned: 1 ham, 6 spam"
    assert check(json.dumps({"body": "cheap frobozz pills"}))[0]["score"] > before

    run("forget")
    assert run("stats").splitlines()[0] == "learned: 0 ham, 0 spam"
    assert check(json.dumps({"body": "cheap frobozz pills"}))[0]["score"] == before


def test_a_word_stretched_to_any_length_is_learned_as_one_word(db, tmp_path):
    spam_file = jsonl(tmp_path / "spam.jsonl", [{"body": f"Fruuuuubozz {n}"} for n in range(6)])
    ham_file = jsonl(tmp_path / "ham.jsonl", [{"body": "What a thoughtful post"}])
    run("learn", "--spam", spam_file, "--ham", ham_file)
    unknown = check(json.dumps({"body": "glimwort!"}))[0]["score"]
    assert check(json.dumps({"body": "frubozz!"}))[0]["score"] > unknown
    assert check(json.dumps({"body": "FRUUUBOZZ"}))[0]["score"] > unknown


def test_eval_judges_each_source_by_a_model_of_the_others_cold_and_as_a_replay(db, tmp_path):
    rows = [
        {
            "body": f"check out my channel {n} subscribe",
            "label": "spam",
            "date": f"2013-01-{n + 1:02}",
            "source": "video" if n % 2 else "blog",
        }
        for n in range(20)
    ] + [
        {
            "body": f"this song reminds me of summer {n}",
            "label": "ham",
            "date": f"2013-02-{n + 1:02}",
            "source": "video" if n % 2 else "blog",
        }
        for n in range(20)
    ]
    lines = run("eval", jsonl(tmp_path / "corpus.jsonl", rows)).splitlines()
    assert lines[0].endswith("95% Wilson intervals in brackets")
    assert lines[1].startswith("leave one source out")
    judged = [line for line in lines if "ham held" in line]
    assert [line.split(" spam published")[0].strip() for line in judged] == [
        "blog, cold",
        "blog, replay",
        "video, cold",
        "video, replay",
        "all sources, cold",
        "all sources, replay",
        "10-fold (fits, not proof)",
    ]
    for line in judged:
        assert "ham to spam folder" in line and "ham held" in line and "–" in line
    assert "[10 spam, 10 ham]" in judged[0] and "[20 spam, 20 ham]" in judged[-1]
    assert sum("replay no worse than cold" in line for line in lines) == 2
    assert lines[-1].startswith("check one comment: ") and lines[-1].endswith("(target < 2 ms)")
    assert TokenCount.objects.count() == 0  # evaluation never touches the blog's filter


def test_eval_judges_a_held_out_file_by_a_model_of_all_the_others(db, tmp_path):
    def rows(source, n):
        return [
            {"body": f"check out my channel {k} subscribe", "label": "spam", "source": source}
            for k in range(n)
        ] + [
            {"body": f"this song reminds me of summer {k}", "label": "ham", "source": source}
            for k in range(n)
        ]

    corpus = jsonl(tmp_path / "corpus.jsonl", rows("video", 10) + rows("blog", 10))
    unseen = jsonl(tmp_path / "unseen.jsonl", rows("elsewhere", 4))
    lines = run("eval", corpus, "--held-out", unseen).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("held out"))
    assert "8 comments" in lines[start] and lines[start - 1].startswith("all sources, replay")
    assert lines[start + 1].strip().startswith("elsewhere, cold")
    assert lines[start + 2].strip().startswith("elsewhere, replay")
    assert "[4 spam, 4 ham]" in lines[start + 1]
    assert "replay no worse than cold" in lines[start + 3]
    assert lines[start + 4].startswith("10-fold")


def test_eval_refuses_a_file_without_labels(db, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="label spam\\|ham"):
        run("eval", jsonl(tmp_path / "bad.jsonl", [{"body": "no label"}]))


@needs_corpus
def test_the_shipped_model_is_what_the_build_command_makes_from_the_corpus(tmp_path):
    out = tmp_path / "model.json"
    written = [
        str(spam.STARTING_MODEL.parent / name) for name in ("blog-dev.jsonl", "blog-dev-2.jsonl")
    ]
    call_command("spam", "build", str(CORPUS), *written, "--out", str(out), stdout=io.StringIO())
    assert out.read_text() == spam.STARTING_MODEL.read_text()


@needs_corpus
def test_eval_runs_on_the_corpus(db):
    lines = run("eval", str(CORPUS)).splitlines()
    assert "1138 comments" in lines[0]
    pooled = [line for line in lines if line.startswith(("all sources", "10-fold"))]
    assert len(pooled) == 3 and all("[586 spam, 552 ham]" in line for line in pooled)


def test_an_unmigrated_database_gets_one_clear_line_not_a_traceback(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    finished = subprocess.run(
        [sys.executable, "manage.py", "spam", "check"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        input='{"body": "hello"}\n',
        capture_output=True,
        text=True,
    )
    assert finished.returncode == 1
    assert "run `python manage.py migrate`" in finished.stderr
    assert "Traceback" not in finished.stderr
