"""A comment readers may not see shows nowhere: held, spam, removed, or on a draft or a scheduled
post, it is on no page, in no feed, no count, no search and no link, as simonw's
test_draft_items_not_displayed walks every page for drafts."""

from datetime import timedelta

import pytest
from conftest import html
from django.utils import timezone

from blog.models import Label, Post
from comments.models import Comment

SECRET = "Zanzibar"  # in no seed text: a page showing it shows the hidden comment

HIDDEN = {
    "held": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "removed": Comment.Status.REMOVED,
}
CASES = [*HIDDEN, "on a draft", "on a scheduled post"]

PAGES = {
    "the post page": lambda c: c.post.get_absolute_url(),
    "its second page": lambda c: c.post.get_absolute_url() + "?page=2",
    "its third page": lambda c: c.post.get_absolute_url() + "?page=3",
    "the permalink": lambda c: c.get_absolute_url(),
    "the reply link": lambda c: f"/comments/post/{c.post_id}/reply/{c.number}/",
    "the index": lambda c: "/",
    "the year": lambda c: "/2009/",
    "the month": lambda c: "/2009/11/",
    "the label": lambda c: "/label/rituximab/",
    "the posts feed": lambda c: "/feeds/posts/",
    "the comments feed": lambda c: "/feeds/comments/",
    "the post's comments feed": lambda c: f"/feeds/comments/{c.post_id}/",
    "search": lambda c: "/search/?q=marmalade",
    "the sitemap": lambda c: "/sitemap.xml",
}


def hidden_comment(case, seed):
    """A comment by an author named SECRET, which `case` keeps from readers."""
    post = seed
    if case == "on a draft":
        post = Post.objects.create(
            title="Second thoughts",
            slug="second-thoughts",
            body="More.",
            status=Post.Status.DRAFT,
            published=seed.published,
        )
    elif case == "on a scheduled post":
        post = Post.objects.create(
            title="Coming soon",
            slug="coming-soon",
            body="Not yet.",
            published=timezone.now() + timedelta(days=1),
        )
    post.labels.add(Label.objects.named("Rituximab"))
    return Comment.objects.create(
        post=post,
        author_name=f"{SECRET} Quill",
        body=f"{SECRET} marmalade is the cure.",
        status=HIDDEN.get(case, Comment.Status.PUBLISHED),
    )


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("case", CASES)
def test_a_comment_readers_may_not_see_shows_nowhere(client, seed, settings, case, page):
    settings.COMMENTS_PER_PAGE = 5  # the seed's thread on three pages
    comment = hidden_comment(case, seed)
    response = client.get(PAGES[page](comment), follow=True)
    text = response.content.decode()
    assert SECRET not in text
    assert f"/comments/{comment.pk}/" not in text
    if response["Content-Type"].startswith("text/html"):
        counts = html(response).select("#comments-heading, .post-footer a[href$='#comments']")
        assert {count.get_text() for count in counts} <= {"12 comments"}
    if page == "the reply link":
        assert response.status_code == 404


def test_the_walk_reaches_a_comment_readers_may_see(client, seed, settings):
    # The same walk finds a published comment where readers look for it: the pages above
    # would show a hidden one.
    settings.COMMENTS_PER_PAGE = 5
    comment = hidden_comment("published", seed)
    found = {
        page
        for page, url in PAGES.items()
        if SECRET in client.get(url(comment), follow=True).content.decode()
    }
    assert found == {
        "its third page",
        "the permalink",
        "the reply link",
        "the comments feed",
        "the post's comments feed",
        "search",
    }
