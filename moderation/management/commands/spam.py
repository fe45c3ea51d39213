"""`manage.py spam check|learn|forget|stats|eval|build|shadow|purge`, after SpamAssassin's tools."""

import argparse
import contextlib
import json
import statistics
import sys
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from moderation import checks, evaluation, policy, shadow, spam
from moderation.models import Assessment, Decision, TokenCount
from moderation.policy import thresholds

# How `check` writes a verdict (the status the comment would get), after SpamAssassin's words.
VERDICT_WORDS = {
    Comment.Status.PUBLISHED: "publish",
    Comment.Status.PENDING: "hold",
    Comment.Status.SPAM: "spam",
}


def _date(text):
    try:
        return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from error


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a score from 0 to 1")
    return value


def read_lines(path, stdin=None):
    """(line number, parsed object or error text) for each non-blank line of a JSON-lines file
    ("-" for standard input). A line that cannot be read becomes its error, and the rest go on."""
    if path == "-":
        stream = stdin or sys.stdin
        handle = contextlib.nullcontext(getattr(stream, "buffer", stream))
    else:
        try:
            handle = open(path, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
    with handle as lines:
        for number, line in enumerate(lines, 1):
            if isinstance(line, bytes):
                try:
                    line = line.decode("utf-8")
                except UnicodeDecodeError:
                    yield number, f"line {number}: not UTF-8"
                    continue
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as error:
                yield number, f"line {number}: not JSON ({error.msg})"
                continue
            if not isinstance(data, dict):
                yield number, f"line {number}: not a JSON object"
                continue
            yield number, data


class Command(BaseCommand):
    help = "Check comments against the spam filter, teach it, and measure it."
    stealth_options = ("stdin",)  # call_command(..., stdin=stream), as tests feed `check`

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="Read JSON lines on stdin; print a verdict line for each.")
        learn = sub.add_parser("learn", help="Teach the filter from JSON-lines files.")
        learn.add_argument("--ham", action="append", default=[], metavar="FILE")
        learn.add_argument("--spam", action="append", default=[], metavar="FILE")
        sub.add_parser("forget", help="Forget everything learned; return to the shipped model.")
        sub.add_parser("stats", help="How many comments the filter learned, of each kind.")
        ev = sub.add_parser(
            "eval", help="Leave-one-source-out (cold and replay) and 10-fold cross-validation."
        )
        ev.add_argument("files", nargs="+", metavar="file")
        ev.add_argument(
            "--held-out",
            action="append",
            default=[],
            metavar="FILE",
            help="Also judge FILE's sources by a model of all the files, cold and as a replay.",
        )
        replay = sub.add_parser(
            "shadow", help="Replay past comments under other settings; print what would change."
        )
        replay.add_argument("--since", required=True, type=_date, metavar="YYYY-MM-DD")
        replay.add_argument("--policy", choices=policy.POLICIES)
        replay.add_argument("--hold-above", type=_fraction, metavar="SCORE")
        replay.add_argument("--spam-above", type=_fraction, metavar="SCORE")
        purge = sub.add_parser(
            "purge", help="Delete spam kept longer than the spam folder keeps it."
        )
        purge.add_argument(
            "--older-than", type=int, metavar="DAYS", help="default: MODERATION_SPAM_KEEP_DAYS"
        )
        purge.add_argument(
            "--dry-run", action="store_true", help="say what would go; delete nothing"
        )
        build = sub.add_parser("build", help="Train the starting model that ships, from files.")
        build.add_argument("files", nargs="+", metavar="file")
        build.add_argument("--out", default=str(spam.STARTING_MODEL))

    def handle(self, *args, action, **options):
        # Every action but build reads the blog's lists or filter from the database.
        if action != "build" and not _migrated():
            raise CommandError("the database is not set up yet: run `python manage.py migrate`")
        getattr(self, f"do_{action}")(**options)

    def do_check(self, **options):
        history = policy.DatabaseHistory()
        sources = spam.sources()
        now = timezone.now()
        for _, data in read_lines("-", options.get("stdin")):
            if isinstance(data, str):
                self.stdout.write(json.dumps({"error": data}))
                continue
            try:
                sub = checks.Submission.from_dict(data)
            except (TypeError, ValueError) as error:
                self.stdout.write(json.dumps({"error": f"unreadable comment: {error}"}))
                continue
            judged = spam.score(sub, history, now, *sources)
            out = {
                "verdict": VERDICT_WORDS[policy.verdict(judged, "hold-flagged")],
                "score": round(judged.score, 4),
                "reasons": judged.reasons,
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False))

    def do_learn(self, ham, spam, **options):
        if not ham and not spam:
            raise CommandError("give --ham FILE and/or --spam FILE")
        counts = {"ham": 0, "spam": 0}
        learned = spam_module().LearnedCounts()
        with transaction.atomic():
            for label, paths in (("ham", ham), ("spam", spam)):
                for path in paths:
                    for _, data in read_lines(path):
                        if isinstance(data, str):
                            self.stderr.write(f"{path}: {data}, skipped")
                            continue
                        sub = checks.Submission.from_dict(data)
                        learned.learn(spam_module().tokens(sub), label)
                        counts[label] += 1
        self.stdout.write(f"learned {counts['ham']} ham and {counts['spam']} spam")

    def do_shadow(self, since, policy, hold_above, spam_above, **options):
        hold, spam_ = thresholds(hold_above, spam_above)
        if not hold <= spam_:
            raise CommandError("--hold-above must not be above --spam-above")
        tried = {
            "policy": policy or settings.MODERATION_POLICY,
            "hold above": hold,
            "spam above": spam_,
        }
        rows = shadow.replay(since, policy, hold_above, spam_above)
        changed = [row for row in rows if row.changed]
        self.stdout.write(
            f"{len(rows)} comments since {since:%Y-%m-%d}, replayed under "
            + ", ".join(f"{name} {value}" for name, value in tried.items())
            + f": {len(changed)} would change"
        )
        for (was, would), count in sorted(shadow.summary(rows).items()):
            self.stdout.write(f"  {shadow.WORDS[was]} → {shadow.WORDS[would]}: {count}")
        for row in changed:
            decided = f", owner: {row.owner}" if row.owner else ""
            self.stdout.write(
                f"{row.comment.created:%Y-%m-%d} {row.comment} score {row.score:.2f}: "
                f"{shadow.WORDS[row.was]} → {shadow.WORDS[row.would]}{decided}"
            )

    def do_purge(self, older_than, dry_run, **options):
        days = settings.MODERATION_SPAM_KEEP_DAYS if older_than is None else older_than
        purged, kept = Decision.objects.purge(timezone.now() - timedelta(days=days), dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {len(purged)} spam comment(s) kept more than {days} days")
        for comment in kept:
            self.stdout.write(f"kept {comment}: replies hang from it")

    def do_forget(self, **options):
        with transaction.atomic():
            TokenCount.objects.all().delete()
            Assessment.objects.exclude(learned_as="").update(learned_as="", learned_tokens=[])
        self.stdout.write("forgot everything learned; the shipped model remains")

    def do_stats(self, **options):
        learned = spam.LearnedCounts()
        shipped = spam.shipped()
        self.stdout.write(f"learned: {learned.ham_docs} ham, {learned.spam_docs} spam")
        self.stdout.write(
            f"shipped: {shipped.ham_docs} ham, {shipped.spam_docs} spam, "
            f"{len(shipped.table)} tokens"
        )

    def do_eval(self, files, held_out, **options):
        rows = [row for file in files for row in self.labelled(file)]
        hold, spam_above = settings.MODERATION_HOLD_ABOVE, settings.MODERATION_SPAM_ABOVE
        self.stdout.write(
            f"{', '.join(files)}: {len(rows)} comments; policy hold-flagged, held from {hold}, "
            f"spam folder from {spam_above} (only on conclusive evidence); "
            "95% Wilson intervals in brackets"
        )
        self.stdout.write("leave one source out (each judged by a model of the others):")
        pooled = {"cold": evaluation.Tally(), "replay": evaluation.Tally()}
        for source, (cold, replay) in evaluation.leave_one_out(rows, hold, spam_above).items():
            pooled["cold"] += cold
            pooled["replay"] += replay
            self.write_source(source, cold, replay)
        self.stdout.write(pooled["cold"].line("all sources, cold"))
        self.stdout.write(pooled["replay"].line("all sources, replay"))
        if held_out:
            unseen = [row for file in held_out for row in self.labelled(file)]
            self.stdout.write(
                f"held out ({', '.join(held_out)}: {len(unseen)} comments, "
                "each source judged by a model of all the files above):"
            )
            for source, (cold, replay) in evaluation.held_out(
                unseen, rows, hold, spam_above
            ).items():
                self.write_source(source, cold, replay)
        self.stdout.write(
            evaluation.cross_validate(rows, hold, spam_above).line("10-fold (fits, not proof)")
        )
        self.stdout.write(
            f"check one comment: {self.time_check(rows) * 1000:.2f} ms, median of 5 passes"
            " (target < 2 ms)"
        )

    def write_source(self, source, cold, replay):
        self.stdout.write(cold.line(f"  {source}, cold"))
        self.stdout.write(replay.line(f"  {source}, replay"))
        verdict = "no worse" if evaluation.no_worse(cold, replay) else "WORSE"
        self.stdout.write(f"  {source}: replay {verdict} than cold (spam published + ham to spam)")

    def time_check(self, rows, repeat=200, rounds=5):
        """Seconds to check one comment on this blog's database (lists, history, learned table):
        the median over `rounds` passes, so that one busy moment of the machine does not count."""
        subs = [evaluation.submission(r) for r in rows[:repeat]]
        policy.assess(subs[0])  # loads the shipped model once, as a running server has
        passes = []
        for _ in range(rounds):
            start = time.perf_counter()
            for sub in subs:
                policy.assess(sub)
            passes.append((time.perf_counter() - start) / len(subs))
        return statistics.median(passes)

    def do_build(self, files, out, **options):
        model = evaluation.train([row for file in files for row in self.labelled(file)])
        model.dump(out)
        self.stdout.write(
            f"wrote {out}: {model.spam_docs} spam, {model.ham_docs} ham, from {', '.join(files)}"
        )

    def labelled(self, path):
        rows = []
        for number, data in read_lines(path):
            if isinstance(data, str) or data.get("label") not in ("spam", "ham"):
                raise CommandError(f"{path} line {number}: needs a JSON object with label spam|ham")
            rows.append(data)
        if not rows:
            raise CommandError(f"{path}: no comments")
        return rows


def spam_module():
    # `learn`'s --spam option shadows the module's name inside the method.
    return spam


def _migrated():
    """Whether every migration is applied to the database (`manage.py migrate --check`)."""
    try:
        call_command("migrate", check=True, verbosity=0)
    except SystemExit:  # how --check says that some are not
        return False
    return True
