"""The owner's desk: drafts, scheduling and unpublishing, addresses that outlive a rename,
commenting and moderation per post, bulk actions with an audit log, and the admin index."""

import json
import time
from datetime import timedelta

from conftest import POST_URL, comment_form_data, comment_number, html, post_comment
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.utils import timezone

from blog.models import Label, Post, PreviousAddress
from comments.models import Comment
from moderation.models import Decision

POSTS = "/admin/blog/post/"


def new_post(**fields):
    fields = {"title": "Second thoughts", "slug": "second-thoughts", "body": "More.", **fields}
    return Post.objects.create(**fields)


def post_form(**overrides):
    now = timezone.localtime()
    data = {
        "title": "On waiting",
        "slug": "on-waiting",
        "body": "Patience, *mostly*.",
        "status": "draft",
        "published_0": now.strftime("%Y-%m-%d"),
        "published_1": now.strftime("%H:%M:%S"),
        "commenting": "closing",
        "close_after_days": "",
        "moderation_policy": "",
        "new_labels": "",
    }
    data.update(overrides)
    return data


def titles(response):
    return [a.get_text() for a in html(response).select(".post-title a")]


def bulk(client, action, *posts):
    return client.post(
        POSTS, {"action": action, "_selected_action": [p.pk for p in posts]}, follow=True
    )


# Drafts, scheduling and unpublishing


def test_a_draft_is_nowhere_for_readers(client, seed):
    draft = new_post(status=Post.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Second thoughts" not in titles(client.get("/"))
    assert b"Second thoughts" not in client.get("/feeds/posts/").content
    assert b"second-thoughts" not in client.get("/sitemap.xml").content
    assert b"Second thoughts" not in client.get("/search/?q=thoughts").content
    assert post_comment(client, draft).status_code == 404


def test_a_draft_gives_away_neither_its_address_nor_its_labels(client, seed):
    draft = new_post(status=Post.Status.DRAFT)
    draft.labels.add(Label.objects.create(name="Coming soon", slug="coming-soon"))
    assert client.get("/label/coming-soon/").status_code == 404
    # A comment from before the post went back to draft (Unpublish keeps them).
    comment = Comment.objects.create(post=draft, number=1, body="Early.", status="published")
    response = client.get(f"/comments/{comment.pk}/edit/")
    assert response.status_code == 404
    assert b"second-thoughts" not in response.content


def test_the_owner_previews_a_draft_at_its_address(admin_client, seed):
    draft = new_post(status=Post.Status.DRAFT)
    page = html(admin_client.get(draft.get_absolute_url()))
    assert page.h1.get_text(strip=True) == "Second thoughts"
    assert "Preview: readers cannot see this post until it is published" in page.get_text()


def test_the_owners_preview_of_an_unpublished_post_shows_none_of_its_comments(admin_client, seed):
    seed.status = Post.Status.DRAFT
    seed.save()
    page = html(admin_client.get(POST_URL))
    assert page.select_one("#comments-heading").get_text() == "0 comments"
    assert page.find("ol", class_="thread") is None


def test_save_and_preview_in_the_admin_shows_the_draft_as_readers_will_see_it(admin_client, db):
    response = admin_client.post(
        f"{POSTS}add/", post_form(_preview="Save and preview"), follow=True
    )
    post = Post.objects.get(slug="on-waiting")
    assert response.redirect_chain[-1][0] == post.get_absolute_url()
    page = html(response)
    assert page.select_one(".post-body em").get_text() == "mostly"
    assert "Preview" in page.select_one("[role=note]").get_text()


def test_a_scheduled_post_appears_by_itself_when_its_time_comes(client, seed, settings):
    settings.PAGE_CACHE = True  # and a page cached before then does not hide it
    scheduled = new_post(published=timezone.now() + timedelta(seconds=2))
    assert "Second thoughts" not in titles(client.get("/"))
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    time.sleep(2.1)
    assert titles(client.get("/"))[0] == "Second thoughts"
    assert client.get(scheduled.get_absolute_url()).status_code == 200
    cache.clear()


def test_the_admin_lists_drafts_scheduled_and_published_posts(admin_client, seed):
    new_post(status=Post.Status.DRAFT)
    new_post(title="Later", slug="later", published=timezone.now() + timedelta(days=3))
    rows = html(admin_client.get(POSTS)).select("#result_list tbody tr")
    states = {
        r.select_one(".field-title").get_text(): r.select_one(".field-state").get_text()
        for r in rows
    }
    assert states == {
        "Second thoughts": "draft",
        "Later": "scheduled",
        "Norwegian Study Offers Clues": "published",
    }


def test_publishing_drafts_in_bulk_dates_them_now_and_keeps_a_future_date(admin_client, seed):
    old_draft = new_post(status=Post.Status.DRAFT, published=timezone.now() - timedelta(days=9))
    future = new_post(
        title="Later",
        slug="later",
        status=Post.Status.DRAFT,
        published=timezone.now() + timedelta(days=3),
    )
    response = bulk(admin_client, "publish", old_draft, future)
    assert "1 post published, 1 scheduled." in response.content.decode()
    old_draft.refresh_from_db()
    assert old_draft.is_public
    assert timezone.now() - old_draft.published < timedelta(minutes=1)
    future.refresh_from_db()
    assert future.status == Post.Status.PUBLISHED and not future.is_public


def test_unpublishing_takes_a_post_off_the_blog_and_its_comments_with_it(
    admin_client, client, seed
):
    bulk(admin_client, "unpublish", seed)
    assert client.get(POST_URL).status_code == 404
    assert b"Norwegian" not in client.get("/feeds/comments/").content
    assert titles(client.get("/")) == []


# Addresses that outlive a rename


def test_a_renamed_post_answers_at_its_old_address_with_a_permanent_redirect(client, seed):
    seed.slug = "rituximab-clues"
    seed.save()
    response = client.get(POST_URL)
    assert response.status_code == 301
    assert response["Location"] == "/2009/11/rituximab-clues/"
    assert client.get(response["Location"]).status_code == 200


def test_renamed_twice_every_old_address_leads_to_the_current_one_in_one_hop(client, seed):
    seed.slug = "rituximab-clues"
    seed.save()
    seed.slug = "b-cell-clues"
    seed.published = seed.published.replace(month=12)
    seed.save()
    for old in [
        POST_URL,
        "/2009/11/rituximab-clues/",
        "/2009/11/norwegian-study-offers-clues.html",
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/2009/12/b-cell-clues/")


def test_going_back_to_an_old_address_does_not_redirect_it_away(client, seed):
    seed.slug = "rituximab-clues"
    seed.save()
    seed.slug = "norwegian-study-offers-clues"
    seed.save()
    assert client.get(POST_URL).status_code == 200
    assert client.get("/2009/11/rituximab-clues/")["Location"] == POST_URL


def test_renaming_a_draft_leaves_no_trace_and_an_unpublished_post_redirects_nowhere(client, seed):
    draft = new_post(status=Post.Status.DRAFT)
    draft.slug = "third-thoughts"
    draft.save()
    assert not PreviousAddress.objects.filter(post=draft).exists()
    seed.slug = "rituximab-clues"
    seed.save()
    seed.status = Post.Status.DRAFT
    seed.save()
    assert client.get(POST_URL).status_code == 404


# Commenting and moderation per post


def test_comments_closed_by_hand_show_a_notice_and_refuse_a_comment(client, seed):
    seed.commenting = Post.Commenting.CLOSED
    seed.save()
    page = html(client.get(POST_URL))
    assert page.find("form", id="comment-form") is None
    assert "Comments are closed on this post." in page.get_text()
    assert post_comment(client, seed).status_code == 403
    assert not Comment.objects.filter(body=comment_form_data()["body"]).exists()


def test_a_post_closes_after_its_own_number_of_days(client, seed, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0  # the blog's own setting: never
    seed.close_after_days = 30
    seed.save()
    assert post_comment(client, seed).status_code == 403
    assert "since December 27, 2009" in html(client.get(POST_URL)).get_text()


def test_a_post_left_open_stays_open_whatever_the_blog_closes(client, seed, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    assert post_comment(client, seed).status_code == 403
    seed.commenting = Post.Commenting.OPEN
    seed.save()
    assert post_comment(client, seed).status_code == 302


def test_a_post_can_hold_every_comment_whatever_the_blog_policy(client, seed, settings):
    settings.MODERATION_POLICY = "hold-flagged"
    seed.moderation_policy = Post.Policy.HOLD_ALL
    seed.save()
    post_comment(client, seed)
    comment = Comment.objects.latest("pk")
    assert comment.status == Comment.Status.PENDING
    assert comment.assessment.policy == "hold-all"


# Writing in the admin


def test_labels_are_picked_or_added_on_the_fly(admin_client, seed):
    existing = Label.objects.create(name="Research", slug="research")
    admin_client.post(
        f"{POSTS}add/",
        post_form(status="published", labels=[existing.pk], new_labels="ME/CFS, research, B cells"),
    )
    post = Post.objects.get(slug="on-waiting")
    assert sorted(label.name for label in post.labels.all()) == ["B cells", "ME/CFS", "Research"]
    assert Label.objects.get(name="ME/CFS").slug == "mecfs"


def test_the_post_form_fills_the_slug_from_the_title(admin_client, db):
    page = html(admin_client.get(f"{POSTS}add/"))
    fields = json.loads(
        page.find(id="django-admin-prepopulated-fields-constants")["data-prepopulated-fields"]
    )
    assert [(f["id"], f["dependency_ids"]) for f in fields] == [("#id_slug", ["#id_title"])]


def test_a_mistake_in_the_post_form_is_a_form_error(admin_client, seed):
    response = admin_client.post(f"{POSTS}add/", post_form(slug="norwegian-study-offers-clues"))
    assert response.status_code == 200
    assert "Post with this Slug already exists." in html(response).get_text()


# Bulk actions and the audit log


def test_closing_comments_in_bulk_is_recorded_in_the_audit_log(admin_client, admin_user, seed):
    response = bulk(admin_client, "close_comments", seed)
    assert "1 post closed to comments." in response.content.decode()
    seed.refresh_from_db()
    assert seed.commenting == Post.Commenting.CLOSED
    entry = LogEntry.objects.get(object_id=str(seed.pk))
    assert (entry.user, entry.get_change_message()) == (admin_user, "Closed to comments")
    log = html(admin_client.get("/admin/admin/logentry/")).get_text()
    assert "Norwegian Study Offers Clues" in log and "Closed to comments" in log


def test_a_moderation_decision_is_in_the_audit_log_too(admin_client, admin_user, seed):
    admin_client.post(
        "/admin/moderation/queuedcomment/",
        {"action": "approve", "_selected_action": [Comment.objects.get(number=9).pk]},
    )
    entry = LogEntry.objects.get()
    assert entry.user == admin_user and entry.get_change_message() == "Moved to Published"
    assert (
        "#9 on Norwegian Study Offers Clues"
        in html(admin_client.get("/admin/admin/logentry/")).get_text()
    )


def test_the_audit_log_cannot_be_edited(admin_client, seed):
    bulk(admin_client, "close_comments", seed)
    entry = LogEntry.objects.get()
    assert admin_client.post(f"/admin/admin/logentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/admin/logentry/add/").status_code == 403


# The admin index


def test_the_admin_index_shows_what_needs_the_owner(admin_client, client, seed, settings):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, body="A question about dosing.")
    Decision.objects.change(Comment.objects.filter(number=12), Comment.Status.SPAM)
    desk = html(admin_client.get("/admin/")).select_one(".desk")
    text = desk.get_text(" ", strip=True)
    assert "1 comment waits for you" in text
    assert "1 spam caught in the last 7 days" in text  # comment 9 was caught in 2009
    held, spam = Comment.objects.latest("pk"), comment_number(12)
    waiting, caught = (
        admin_client.get(a["href"]).content.decode() for a in desk.select("ul a")[:2]
    )
    assert f"/queuedcomment/{held.pk}/change/" in waiting
    assert f"/queuedcomment/{spam.pk}/change/" not in waiting
    assert f"/queuedcomment/{spam.pk}/change/" in caught
    newest = desk.select(".newest li a")
    assert newest[0].get_text() == "#16 by Ingrid on “Norwegian Study Offers Clues”"
    assert (
        newest[0]["href"]
        == f"/admin/moderation/queuedcomment/{Comment.objects.latest('pk').pk}/change/"
    )
    assert newest[1]["href"].startswith("/comments/")
    assert client.get(newest[1]["href"]).status_code in (301, 302)


def test_the_admin_index_costs_the_same_queries_however_many_comments(
    admin_client, client, seed, settings, django_assert_max_num_queries
):
    settings.MODERATION_POLICY = "hold-all"
    for n in range(30):
        post_comment(client, seed, body=f"Comment {n}")
    with django_assert_max_num_queries(12):
        admin_client.get("/admin/")
