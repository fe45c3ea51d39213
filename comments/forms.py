import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .models import Comment

# Tab, newline and carriage return are writing; every other control character is not.
_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {chr(127)}


def _clean_text(value):
    """NFC-normalize, unify newlines, and refuse control characters."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if any(ch in _CONTROL for ch in value):
        raise ValidationError(_("Control characters are not allowed."), code="control")
    if "\ufffd" in value:
        # What the browser sent was not valid UTF-8; storing the replacement marks would lose it.
        raise ValidationError(
            _("This text has characters that could not be read; please type or paste it again."),
            code="encoding",
        )
    return value


def _text_box(field):
    """Make `field` the comment's text: required (blank is only for the tombstones of removed
    comments), and no longer than COMMENTS_MAX_LENGTH, in the browser too."""
    field.required = True
    field.max_length = settings.COMMENTS_MAX_LENGTH
    field.validators.append(MaxLengthValidator(field.max_length))
    field.widget.attrs["maxlength"] = str(field.max_length)


class CommentForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Comment.objects.none(),  # see __init__
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("The comment you are replying to does not exist.")},
    )
    # A trap for robots that fill every field: hidden from people (see _form.html), read by the
    # spam checks. Not a model field, so it is never stored.
    honeypot = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    author_url = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )

    class Meta:
        model = Comment
        fields = ["author_name", "author_email", "author_url", "body", "parent", "notify"]
        help_texts = {
            "author_name": _("Optional. Shown with your comment; blank shows as Anonymous."),
            "author_email": _("Optional. Never shown; needed for emails about replies."),
            # Escaped: Django prints help text as HTML, and these tag names are meant to be read.
            "body": escape(_("Links become clickable; <b>, <i>, <code> and <blockquote> work.")),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    remember = forms.BooleanField(
        label=_("Remember my name, email and website on this browser"), required=False
    )

    def __init__(self, post, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        self.instance.post = post
        # Built here, not above: which posts are public changes after import. Held and spam
        # comments are not there for readers, so a reply to one reads as to a missing comment.
        self.fields["parent"].queryset = Comment.objects.visible()
        _text_box(self.fields["body"])

    def clean_author_name(self):
        name = _clean_text(self.cleaned_data["author_name"])
        # A name is one line wherever it goes: a byline, and the subject of the reply emails.
        if name and name.splitlines() != [name]:
            raise ValidationError(_("Your name must fit on one line."), code="line_break")
        return name

    def clean_body(self):
        return _clean_text(self.cleaned_data["body"])

    def clean_author_url(self):
        url = self.cleaned_data["author_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Enter a web address starting with http:// or https://."))
        return url

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent is None:
            return None
        if parent.post_id != self.post.pk:
            raise ValidationError(_("You can only reply to a comment on this post."))
        if parent.is_removed:
            raise ValidationError(_("That comment has been removed and takes no more replies."))
        return parent

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notify") and not cleaned.get("author_email"):
            self.add_error("author_email", _("Give your email address to hear of replies."))
        return cleaned

    def full_clean(self):
        super().full_clean()
        # The form sent back stands at the foot of a long page: the browser scrolls to the field
        # it focuses, the first with an error (the text, when the error is the form's own).
        wrong = [name for name in self.fields if name in self.errors and name != "parent"]
        if self.errors:
            self.fields[wrong[0] if wrong else "body"].widget.attrs["autofocus"] = True


class EditForm(forms.ModelForm):
    """A commenter's change to the text of their own comment (Comment.edit() applies it)."""

    class Meta:
        model = Comment
        fields = ["body"]
        help_texts = {"body": CommentForm.Meta.help_texts["body"]}
        widgets = CommentForm.Meta.widgets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _text_box(self.fields["body"])

    def clean_body(self):
        return _clean_text(self.cleaned_data["body"])


class ReplyForm(EditForm):
    """The owner's reply, written in the admin under the comment it answers: its text alone."""


class FollowForm(forms.Form):
    """An address to email each new comment on a post ("Email me new comments on this post")."""

    email = forms.EmailField(
        label=_("Your email"),
        help_text=_(
            "Never shown. We ask you to confirm it first; every email stops them in a click."
        ),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the comment form on the same page has an email field too.
        super().__init__(*args, auto_id="follow_%s", **kwargs)
