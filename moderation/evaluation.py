"""`spam eval`: how the filter would have served an owner, on comments it was not trained on.

Three measures, each judging only what its model never saw:
- leave one source out, cold: the starting model is trained on every other source (a video, a
  blog) and judges the one left out with nothing learned from its owner, as a fresh install would;
- leave one source out, replay: the same starting model, and the left-out source's comments in
  date order, a hundred at a time, the owner's decisions (their true labels) learned after each
  hundred, as the blog learns from its owner;
- 10-fold cross-validation over everything, as if the blog had learned from nine tenths of it.
Verdicts follow the default policy (hold flagged) and the configured thresholds.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from comments.models import Comment

from . import checks, policy, spam

# What a video's comments are "about" in the YouTube corpus: the post they were written under.
POSTS = {
    "Youtube01-Psy.csv": "PSY - GANGNAM STYLE (강남스타일) M/V",
    "Youtube02-KatyPerry.csv": "Katy Perry - Roar (Official)",
    "Youtube03-LMFAO.csv": "LMFAO - Party Rock Anthem ft. Lauren Bennett, GoonRock",
    "Youtube04-Eminem.csv": "Eminem - Love The Way You Lie ft. Rihanna",
    "Youtube05-Shakira.csv": "Shakira - Waka Waka (This Time for Africa)",
}
BATCH = 100  # how many comments the owner of a replay decides at a time
TARGETS = {"spam_published": 3.0, "ham_to_spam": 0.5, "ham_held": 10.0}


class MemoryHistory(checks.History):
    """What a replay's owner has seen and decided, for the duplicate and known-spam checks."""

    def __init__(self):
        self.texts = {}
        self.spam_texts = set()

    def same_text(self, body, since):
        return self.texts.get(body.strip().lower())

    def judged_spam(self, body):
        return body.strip().lower() in self.spam_texts

    def add(self, body, when, label):
        self.texts[body.strip().lower()] = when
        if label == "spam":
            self.spam_texts.add(body.strip().lower())


def wilson(k, n, z=1.96):
    """The 95% Wilson score interval of k successes in n trials, in percent."""
    if not n:
        return 0.0, 0.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


@dataclass
class Tally:
    spam: int = 0
    ham: int = 0
    spam_published: int = 0
    ham_to_spam: int = 0
    ham_held: int = 0

    def add(self, label, verdict):
        if label == "spam":
            self.spam += 1
            self.spam_published += verdict == Comment.Status.PUBLISHED
        else:
            self.ham += 1
            self.ham_to_spam += verdict == Comment.Status.SPAM
            self.ham_held += verdict == Comment.Status.PENDING

    def __iadd__(self, other):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def rate(self, name):
        """(percent, low, high) of a measure: spam_published, ham_to_spam or ham_held."""
        n = self.spam if name == "spam_published" else self.ham
        k = getattr(self, name)
        return (100 * k / n if n else 0.0, *wilson(k, n))

    def errors(self):
        """Spam published plus ham sent to the spam folder, as (count, out of)."""
        return self.spam_published + self.ham_to_spam, self.spam + self.ham

    def line(self, name):
        parts = []
        for measure, words in (
            ("spam_published", "spam published"),
            ("ham_to_spam", "ham to spam folder"),
            ("ham_held", "ham held"),
        ):
            pct, low, high = self.rate(measure)
            parts.append(f"{words} {pct:5.1f}% [{low:4.1f}–{high:4.1f}] (≤ {TARGETS[measure]:g}%)")
        return f"{name:<44} " + "   ".join(parts) + f"   [{self.spam} spam, {self.ham} ham]"


def submission(row):
    return checks.Submission(
        author=str(row.get("author") or ""),
        email=str(row.get("email") or ""),
        url=str(row.get("url") or ""),
        body=str(row.get("body") or ""),
        ip=str(row.get("ip") or ""),
        post_title=str(row.get("post_title") or POSTS.get(row.get("source"), "")),
        post_body=str(row.get("post_body") or ""),
    )


def when(row):
    try:
        return datetime.fromisoformat(row.get("date") or "")
    except ValueError:
        return None


def verdict(judged, hold_above, spam_above):
    """The status the default policy gives a judgement, as an owner would have seen it."""
    return policy.verdict(judged, "hold-flagged", None, hold_above, spam_above)


def train(rows):
    model = spam.Counts()
    for row in rows:
        model.learn(spam.tokens(submission(row)), row["label"])
    return model


def by_source(rows):
    sources = defaultdict(list)
    for row in rows:
        sources[str(row.get("source") or "")].append(row)
    return dict(sources)


def cold(rows, starting, hold_above, spam_above):
    """Judge `rows` with the starting model alone, nothing learned, no history."""
    tally, now = Tally(), datetime.now()
    for row in rows:
        judged = spam.score(submission(row), checks.History(), now, starting)
        tally.add(row["label"], verdict(judged, hold_above, spam_above))
    return tally


def replay(rows, starting, hold_above, spam_above, batch=BATCH):
    """Comments in date order (undated ones last), judged a batch at a time; after each batch the
    owner's decisions (the true labels) are learned, as `spam learn` or the admin teaches."""
    dated = sorted(
        enumerate(rows), key=lambda p: (when(p[1]) is None, when(p[1]) or datetime.min, p[0])
    )
    learned = spam.Counts()
    history, tally = MemoryHistory(), Tally()
    for start in range(0, len(dated), batch):
        decided = []
        for _, row in dated[start : start + batch]:
            sub = submission(row)
            now = when(row) or datetime.now()
            judged = spam.score(sub, history, now, starting, learned)
            tally.add(row["label"], verdict(judged, hold_above, spam_above))
            decided.append((sub, now, row["label"]))
        for sub, now, label in decided:
            learned.learn(spam.tokens(sub), label)
            history.add(sub.body, now, label)
    return tally


def cold_and_replay(rows, starting, hold_above, spam_above):
    """(cold tally, replay tally) of `rows` judged with `starting` as the starting model."""
    return (
        cold(rows, starting, hold_above, spam_above),
        replay(rows, starting, hold_above, spam_above),
    )


def leave_one_out(rows, hold_above, spam_above):
    """{source: (cold tally, replay tally)}, each source judged by a model of all the others."""
    sources = by_source(rows)
    return {
        name: cold_and_replay(
            judged,
            train([r for other, rs in sources.items() if other != name for r in rs]),
            hold_above,
            spam_above,
        )
        for name, judged in sources.items()
    }


def held_out(rows, trained_on, hold_above, spam_above):
    """{source: (cold tally, replay tally)}, each source of `rows` judged by a model of all of
    `trained_on`, as the shipped model would judge data it was never built or tuned on."""
    starting = train(trained_on)
    return {
        name: cold_and_replay(judged, starting, hold_above, spam_above)
        for name, judged in by_source(rows).items()
    }


def cross_validate(rows, hold_above, spam_above, folds=10, seed=0):
    """Each tenth judged by what the blog would have learned from the other nine tenths."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    subs = [submission(r) for r in rows]
    found = [spam.tokens(s) for s in subs]
    tally = Tally()
    now = datetime.now()
    for k in range(folds):
        test = set(order[k::folds])
        learned = spam.Counts()
        for i in order:
            if i not in test:
                learned.learn(found[i], rows[i]["label"])
        for i in sorted(test):
            judged = spam.score(subs[i], checks.History(), now, spam.Counts(), learned)
            tally.add(rows[i]["label"], verdict(judged, hold_above, spam_above))
    return tally


def no_worse(cold_tally, replay_tally):
    """Whether the replay's errors (spam published + ham to the spam folder) are within the cold
    run's Wilson interval or below it."""
    k, n = replay_tally.errors()
    kc, nc = cold_tally.errors()
    return 100 * k / n <= wilson(kc, nc)[1] if n else True
