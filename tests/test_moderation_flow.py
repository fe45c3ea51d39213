"""Moderation runs one way: checks, a score, a status, an assessment kept with the comment, and
one "decided" signal that the filter's learning and the owner's mail listen to."""

import ast
from pathlib import Path

import pytest
from conftest import admin_action, post_comment

from comments.models import Comment
from moderation.signals import decided

ROOT = Path(__file__).parent.parent
QUEUE = "/admin/moderation/queuedcomment/"


def imports_within(app):
    """{module: the modules of the same app it imports, at the top or inside a function}."""
    graph = {}
    for source in (ROOT / app).glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(f"{app}."):
                found.add(node.module.split(".")[1])
        graph[source.stem] = found & {p.stem for p in (ROOT / app).glob("*.py")}
    return graph


def a_loop(graph):
    """A module that imports itself through others, or None."""
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            module = todo.pop()
            if module == start:
                return start
            if module not in seen:
                seen.add(module)
                todo.extend(graph.get(module, ()))
    return None


def test_no_module_of_moderation_imports_itself_through_another():
    assert a_loop(imports_within("moderation")) is None


@pytest.fixture
def heard():
    calls = []

    def listen(sender, comments, status, actor, **kwargs):
        calls.append(([c.number for c in comments], status, actor and actor.username))

    decided.connect(listen)
    yield calls
    decided.disconnect(listen)


def test_every_decision_is_heard_once_with_who_made_it(admin_client, seed, held, heard):
    post_comment(admin_client.__class__(), seed, body="A question about the Norwegian study.")
    comment = Comment.objects.order_by("-pk").first()
    assert comment.status == Comment.Status.PENDING
    assert comment.assessment.policy == "hold-all"
    admin_action(admin_client, QUEUE, "approve", comment)
    assert heard == [
        ([comment.number], Comment.Status.PENDING, None),
        ([comment.number], Comment.Status.PUBLISHED, "admin"),
    ]
