"""Read the seed page (../shared/seed/rituximab-post.txt), to hold the fixtures to it."""

import re
from dataclasses import dataclass
from pathlib import Path

SEED_PAGE = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "rituximab-post.txt"

_COMMENT_START = re.compile(r"^  (\d+)\. (.*)$")
_BLOGGER_BYLINE = re.compile(
    r"^(?P<author>.+?)(?P<date>[A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M)$"
)


@dataclass
class SeedComment:
    number: int
    body: str
    byline: str = ""


@dataclass
class SeedPage:
    date: str
    title: str
    paragraphs: list
    citation: str
    comments: dict


def read(path=SEED_PAGE):
    lines = path.read_text(encoding="utf-8").split("\n")
    date, title = lines[0], lines[2]
    paragraphs, citation = [lines[4], lines[6]], lines[8]
    comments, current = {}, None
    for line in lines[9:]:
        start = _COMMENT_START.match(line)
        if start:
            current = [int(start[1]), [start[2]]]
            comments[current[0]] = current
        elif current:
            current[1].append(line.removeprefix("    "))
    page = SeedPage(date, title, paragraphs, citation, {})
    for number, body_lines in comments.values():
        byline = ""
        byline_match = _BLOGGER_BYLINE.match(body_lines[0])
        if byline_match:
            byline, body_lines = body_lines[0], body_lines[1:]
        page.comments[number] = SeedComment(number, "\n".join(body_lines).strip("\n"), byline)
    return page


def byline_parts(byline):
    """Split Blogger's run-together "NameMarch 18, 2010 at 10:06 AM" into (name, date)."""
    match = _BLOGGER_BYLINE.match(byline)
    return match["author"], match["date"]
