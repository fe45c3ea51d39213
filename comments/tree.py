"""Turn a post's comments, read in one query, into a thread in reading order."""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings


@dataclass(slots=True)
class Entry:
    comment: object
    depth: int
    # Set where the nesting cannot show the parent: the reply sits deeper than max_depth.
    reply_to: object = None
    # For the template: open a nested <ol> after this entry, or close this many.
    opens: bool = False
    closes: range = range(0)


def thread(comments, max_depth):
    """Return comments (oldest first) as depth-first Entries, each reply under the one it answers.

    O(n) and iterative, so a chain of any length is safe. A reply whose parent is not among
    `comments` (held back from readers) stands at the top level, in its turn.
    """
    comments = list(comments)
    by_pk = {comment.pk: comment for comment in comments}
    children = defaultdict(list)
    roots = []
    for comment in comments:
        if comment.parent_id in by_pk:
            children[comment.parent_id].append(comment)
        else:
            roots.append(comment)

    entries = []
    stack = [(comment, 0) for comment in reversed(roots)]
    while stack:
        comment, depth = stack.pop()
        shown = min(depth, max_depth)
        reply_to = by_pk[comment.parent_id] if depth > shown else None
        entries.append(Entry(comment, shown, reply_to))
        stack.extend((child, depth + 1) for child in reversed(children[comment.pk]))

    # Shown depth grows by at most one from an entry to the next, so the gap between
    # neighbours says exactly which lists to open and close.
    for entry, following in zip(entries, [*entries[1:], None], strict=False):
        next_depth = following.depth if following else 0
        entry.opens = next_depth > entry.depth
        if not entry.opens:
            entry.closes = range(entry.depth - next_depth)
    return entries


def below(comments, pk):
    """The comments under the one with `pk` (its replies, theirs, and so on), in reading order."""
    comments = list(comments)
    # Unclamped depths: in depth-first order, what lies under a comment is the run of deeper
    # entries that follows it.
    entries = thread(comments, max_depth=len(comments))
    start = next((i for i, e in enumerate(entries) if e.comment.pk == pk), len(entries))
    found = []
    for entry in entries[start + 1 :]:
        if entry.depth <= entries[start].depth:
            break
        found.append(entry.comment)
    return found


def paginate(entries, per_page):
    """Split a thread's entries into pages of about `per_page`, cutting only between threads.

    A page ends once it holds `per_page` entries and the next entry starts a new thread, so no
    thread is split across pages (one thread longer than `per_page` makes one long page).
    """
    pages, current = [], []
    for entry in entries:
        if len(current) >= per_page and entry.depth == 0:
            pages.append(current)
            current = []
        current.append(entry)
    if current or not pages:
        pages.append(current)
    return pages


def paged_thread(rows):
    """Thread `rows` (oldest first) and split them into pages, as the site's settings say."""
    return paginate(thread(rows, settings.COMMENTS_MAX_DEPTH), settings.COMMENTS_PER_PAGE)


@dataclass
class Page:
    """One page of a post's thread, as readers page through it."""

    number: int
    count: int  # how many pages the thread has
    entries: list

    def comment(self, pk):
        """The comment on this page whose pk is `pk` (a number or its text), or None."""
        return next((e.comment for e in self.entries if str(e.comment.pk) == str(pk)), None)

    def reply_target(self, number):
        """The comment on this page numbered `number` (text, as in ?replyto=) that a reader may
        answer (not a tombstone), or None."""
        return next(
            (
                e.comment
                for e in self.entries
                if str(e.comment.number) == number and not e.comment.is_removed
            ),
            None,
        )


def page(rows, asked="1", showing=None):
    """The Page of the thread `rows` (oldest first) showing the comment whose pk is `showing`
    (the first page if none does), or else page `asked` (text, as in ?page=); None if no such
    page."""
    pages = paged_thread(rows)
    if showing is not None:
        number = next(
            (
                n
                for n, entries in enumerate(pages, start=1)
                if any(str(e.comment.pk) == str(showing) for e in entries)
            ),
            1,
        )
    # isdigit() alone takes "²" and other digits int() refuses; only ASCII 0-9 make a page number.
    elif asked.isascii() and asked.isdigit() and 1 <= int(asked) <= len(pages):
        number = int(asked)
    else:
        return None
    return Page(number, len(pages), pages[number - 1])
