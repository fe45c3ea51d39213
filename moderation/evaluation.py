"""`spam eval`: how the filter would have served an owner, by 10-fold cross-validation and replay.

Both start from an empty model, never from the shipped one, so that nothing is judged by a model
that has seen it. Verdicts follow the default policy (hold flagged) and the configured thresholds.
"""

import random
import time
from dataclasses import dataclass
from datetime import datetime

from . import checks, spam

# What a video's comments are "about" in the YouTube corpus: the post they were written under.
POSTS = {
    "Youtube01-Psy.csv": "PSY - GANGNAM STYLE (강남스타일) M/V",
    "Youtube02-KatyPerry.csv": "Katy Perry - Roar (Official)",
    "Youtube03-LMFAO.csv": "LMFAO - Party Rock Anthem ft. Lauren Bennett, GoonRock",
    "Youtube04-Eminem.csv": "Eminem - Love The Way You Lie ft. Rihanna",
    "Youtube05-Shakira.csv": "Shakira - Waka Waka (This Time for Africa)",
}


class MemoryHistory(checks.History):
    """Earlier comments of a replay, for the duplicate check."""

    def __init__(self):
        self.texts = {}

    def same_text(self, body, since):
        return self.texts.get(body.strip().lower())

    def add(self, body, when):
        self.texts[body.strip().lower()] = when


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
            self.spam_published += verdict == "publish"
        else:
            self.ham += 1
            self.ham_to_spam += verdict == "spam"
            self.ham_held += verdict == "hold"

    def line(self, name):
        def pct(n, d):
            return 100 * n / d if d else 0.0

        return (
            f"{name:<12} spam published {pct(self.spam_published, self.spam):5.1f}% (target ≤ 2%)"
            f"   ham to spam folder {pct(self.ham_to_spam, self.ham):5.1f}% (≤ 0.5%)"
            f"   ham held {pct(self.ham_held, self.ham):5.1f}% (≤ 10%)"
            f"   [{self.spam} spam, {self.ham} ham]"
        )


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


def verdict(score, hold_above, spam_above):
    if score >= spam_above:
        return "spam"
    return "hold" if score >= hold_above else "publish"


def cross_validate(rows, hold_above, spam_above, folds=10, seed=0):
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    subs = [submission(r) for r in rows]
    found = [spam.tokens(s) for s in subs]
    tally = Tally()
    now = datetime.now()
    for k in range(folds):
        test = set(order[k::folds])
        model = spam.Counts()
        for i in order:
            if i not in test:
                model.learn(found[i], rows[i]["label"])
        for i in sorted(test):
            s, _ = spam.score(subs[i], checks.History(), now, model)
            tally.add(rows[i]["label"], verdict(s, hold_above, spam_above))
    return tally


def replay(rows, hold_above, spam_above):
    """Comments in date order (undated ones last); each verdict is followed by its true label."""
    dated = sorted(
        enumerate(rows), key=lambda p: (when(p[1]) is None, when(p[1]) or datetime.min, p[0])
    )
    model, history, tally = spam.Counts(), MemoryHistory(), Tally()
    for _, row in dated:
        sub = submission(row)
        now = when(row) or datetime.now()
        s, _ = spam.score(sub, history, now, model)
        tally.add(row["label"], verdict(s, hold_above, spam_above))
        model.learn(spam.tokens(sub), row["label"])
        history.add(sub.body, now)
    return tally


def time_one_check(rows, repeat=200):
    """Mean seconds to score one comment against a model trained on `rows`."""
    model = spam.Counts()
    for r in rows:
        model.learn(spam.tokens(submission(r)), r["label"])
    subs = [submission(r) for r in rows[:repeat]]
    start = time.perf_counter()
    for s in subs:
        spam.score(s, checks.History(), datetime.now(), model)
    return (time.perf_counter() - start) / len(subs)
