"""What readers, feed readers and search engines expect of a page (issue 21): markup the HTML
standard accepts, a comment form a reader can use, and an icon in the tab."""

import json
import re
from datetime import datetime

from conftest import POST_URL, comment_number, html, post_comment
from django.core.management import call_command
from django.test import Client

from blog.models import Label, Post
from comments.models import Comment
from comments.signals import comment_will_be_posted
from moderation.models import Decision

# HTML's global date and time string, to the second: a browser or a validator rejects more
# than three decimals, and a form-posted comment's time has six.
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


def _publish(sender, comment, **kwargs):
    comment.status = comment.Status.PUBLISHED


def test_every_datetime_attribute_is_to_the_second(client, seed):
    comment_will_be_posted.connect(_publish)
    try:
        post_comment(client, seed, body="Posted through the form: microseconds and all.")
    finally:
        comment_will_be_posted.disconnect(_publish)
    pages = [html(client.get(POST_URL)), html(client.get("/search/", {"q": "microseconds"}))]
    stamps = [time["datetime"] for page in pages for time in page.find_all("time", datetime=True)]
    stamps += [pages[0].find("meta", property="article:published_time")["content"]]
    times = [s for s in stamps if "T" in s]
    assert len(times) >= 3
    assert all(DATETIME.fullmatch(s) for s in times), times
    assert datetime.fromisoformat(times[-1]).date().isoformat() == "2009-11-27"


def test_every_aria_describedby_names_an_element_on_the_page(client, seed):
    for response in (client.get(POST_URL), post_comment(client, seed, body="")):
        page = html(response)
        described = [tag for tag in page.find_all(attrs={"aria-describedby": True})]
        assert described
        for tag in described:
            for ref in tag["aria-describedby"].split():
                assert page.find(id=ref) is not None, f"{tag.get('name')}: no #{ref}"
    checkbox = page.find("input", attrs={"name": "notify"})
    helptext = page.find(id=checkbox["aria-describedby"]).get_text()
    assert helptext == "Send replies to this comment to its author."


def test_a_form_sent_back_with_errors_focuses_the_first_field_in_error(client, seed):
    def focused(**data):
        response = post_comment(client, seed, **data)
        assert response.status_code == 400
        return [tag["name"] for tag in html(response).find_all(autofocus=True)]

    assert focused(body=" ") == ["body"]
    assert focused(author_email="not-an-address", author_url="ftp://x.org/") == ["author_email"]
    assert focused(parent="999999") == ["body"]  # the error stands above the form's fields
    assert not html(client.get(POST_URL)).find_all(autofocus=True)


def test_every_page_has_an_icon_and_favicon_ico_is_one(client, seed, settings, tmp_path):
    # Collected as in production (hashed names), and served by WhiteNoise, as there.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    browser = Client()  # WhiteNoise reads STATIC_ROOT when the middleware starts
    for path in ("/", POST_URL, "/archive/", "/search/", "/nothing-here/"):
        icons = html(browser.get(path)).find_all("link", rel="icon")
        assert {icon.get("type") for icon in icons} == {None, "image/svg+xml"}, path
        for icon in icons:
            assert browser.get(icon["href"]).status_code == 200
    response = browser.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # ICO


def structured_data(response):
    (script,) = html(response).find_all("script", type="application/ld+json")
    return json.loads(script.string)


def test_a_post_page_describes_itself_and_its_comments_as_schema_org_json_ld(
    client, seed, settings
):
    settings.BLOG_AUTHOR = "Cort Johnson"
    post = structured_data(client.get(POST_URL))
    assert (post["@context"], post["@type"]) == ("https://schema.org", "BlogPosting")
    assert post["headline"] == "Norwegian Study Offers Clues"
    assert post["url"] == f"http://testserver{POST_URL}"
    assert post["author"] == {"@type": "Person", "name": "Cort Johnson"}
    assert datetime.fromisoformat(post["datePublished"]) == seed.published
    assert datetime.fromisoformat(post["dateModified"]) >= seed.published
    statistic = post["interactionStatistic"]
    assert statistic["interactionType"] == "https://schema.org/CommentAction"
    assert statistic["userInteractionCount"] == 12

    comments = post["comment"]
    assert len(comments) == 12  # not the spam (9) nor the tombstones (11, 13)
    ten = comment_number(10)
    (entry,) = [c for c in comments if c["author"]["name"] == "XMRV Positive in the UK"]
    assert entry["@type"] == "Comment"
    assert datetime.fromisoformat(entry["dateCreated"]) == ten.created.replace(microsecond=0)
    assert ten.body.splitlines()[0] in entry["text"]
    assert "endocannabinoid" not in json.dumps(post)


def test_comment_text_cannot_end_the_json_ld_script(client, seed):
    body = "</script><script>alert(1)</script> <!-- & -->"
    Comment.objects.create(post=seed, body=body, status=Comment.Status.PUBLISHED)
    response = client.get(POST_URL)
    assert all(
        s.get("src") or s.get("type") == "application/ld+json"
        for s in html(response).find_all("script")
    )
    texts = [c["text"] for c in structured_data(response)["comment"]]
    assert body in texts


def test_held_comments_are_not_in_the_json_ld(client, seed):
    assert "Tysabri" in json.dumps(structured_data(client.get(POST_URL)))
    Decision.objects.change(Comment.objects.filter(number=12), Comment.Status.PENDING)
    post = structured_data(client.get(POST_URL))
    assert post["interactionStatistic"]["userInteractionCount"] == 11
    assert "Tysabri" not in json.dumps(post)


def head_tags(response):
    page = html(response)
    meta = {
        tag.get("property") or tag.get("name"): tag["content"]
        for tag in page.find_all("meta")
        if tag.get("content")
    }
    canonical = page.find_all("link", rel="canonical")
    return meta, [link["href"] for link in canonical]


def test_every_list_page_has_a_description_and_a_canonical_address(client, seed):
    seed.labels.add(Label.objects.named("Rituximab"))
    descriptions = set()
    pages = ("/", "/archive/", "/2009/", "/2009/11/", "/label/rituximab/", "/labels/", "/search/")
    for path in pages:
        meta, canonical = head_tags(client.get(path + "?utm_source=feed"))
        assert canonical == [f"http://testserver{path}"], path
        assert meta["description"].endswith(" on Blog."), path
        assert meta["og:site_name"] == "Blog"
        descriptions.add(meta["description"])
    assert len(descriptions) == len(pages)
    assert "Posts labelled Rituximab on Blog." in descriptions
    assert "Posts from November 2009 on Blog." in descriptions


def test_the_second_page_of_a_list_is_its_own_canonical_page(client, seed):
    for i in range(10):
        Post.objects.create(title=f"P{i}", slug=f"p{i}", body="x")
    meta, canonical = head_tags(client.get("/?page=2"))
    assert canonical == ["http://testserver/?page=2"]
    assert meta["description"] == "The newest posts on Blog, page 2."


def test_a_post_with_an_image_shares_it(client, seed):
    meta, _ = head_tags(client.get(POST_URL))
    assert "og:image" not in meta and meta["twitter:card"] == "summary"
    assert "image" not in structured_data(client.get(POST_URL))

    seed.body = "A chart:\n\n![Chart](/media/chart.png)\n\n![Second](https://example.org/b.png)"
    seed.save()
    meta, _ = head_tags(client.get(POST_URL))
    assert meta["og:image"] == meta["twitter:image"] == "http://testserver/media/chart.png"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:site_name"] == "Blog"
    assert structured_data(client.get(POST_URL))["image"] == "http://testserver/media/chart.png"
