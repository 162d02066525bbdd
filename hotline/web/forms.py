"""Parsing what people type and upload into the inputs of services; no decisions here."""

import csv
import io
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis, LegalElements
from hotline.cases.services.intake import ItemInput, RequestInput
from hotline.cases.services.moderation import ItemDecision
from hotline.cases.workflow import ItemAction, RejectionReason
from hotline.core.dates import EARLIEST_DAY, LATEST_DAY
from hotline.web import labels

MAX_CSV_BYTES = 2 * 2**20
MAX_IMPORT_BYTES = 64 * 2**20  # 100,000 lines of long URLs with hashes
COMMON_TIME_ZONES = [
    "Asia/Seoul",
    "Asia/Tokyo",
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
]


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=[("", _("My organisation's default"))] + [(z, z) for z in COMMON_TIME_ZONES],
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


def _choices(mapping: dict[str, Any]) -> list[tuple[str, Any]]:
    return list(mapping.items())


class RequestForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=_choices(labels.CATEGORIES))
    reasons = forms.CharField(
        label=_("Why the content is illegal"), widget=forms.Textarea(attrs={"rows": 3})
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    involves_minor = forms.BooleanField(label=_("A minor is involved"), required=False)
    legal_bases = forms.MultipleChoiceField(
        label=_("Legal bases"),
        choices=_choices(labels.LEGAL_BASES),
        widget=forms.CheckboxSelectMultiple,
        initial=[b.value for b in LegalBasis],
    )
    urls = forms.CharField(
        label=_("URLs, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
    )
    urls_csv = forms.FileField(label=_("Or a CSV file with a url column"), required=False)
    signature = forms.CharField(label=_("Signature"), required=False)
    good_faith_statement = forms.CharField(
        label=_("Good-faith statement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contact = forms.CharField(label=_("Contact information"), required=False)
    notifier_name = forms.CharField(label=_("Notifier's name"), required=False)
    notifier_email = forms.CharField(label=_("Notifier's email"), required=False)
    bona_fide_statement = forms.BooleanField(
        label=_("I believe in good faith that this notice is accurate and complete"),
        required=False,
    )
    victim_reference = forms.CharField(
        label=_("Victim reference"),
        required=False,
        max_length=1000,  # the service says precisely what a reference may be (cases.victims)
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocomplete": "off", "aria-describedby": "victim-hint"}
        ),
    )
    browser_hashes = forms.CharField(required=False, widget=forms.HiddenInput)
    # A fresh reference per form: submitting the same form twice files one request.
    client_reference = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_reference"].initial = f"web-{uuid.uuid4()}"

    def url_lines(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["urls"].splitlines()]
        upload: UploadedFile | None = self.cleaned_data.get("urls_csv")
        if upload is not None:
            lines += _csv_urls(upload.read(MAX_CSV_BYTES).decode("utf-8-sig", errors="replace"))
        return [line for line in lines if line]

    def request_input(self, media_signals: list[list[dict[str, Any]]]) -> RequestInput:
        data = self.cleaned_data
        items = [ItemInput(url=url) for url in self.url_lines()]
        items += [ItemInput(signals=signals) for signals in media_signals]
        items += [ItemInput(signals=[s]) for s in _browser_hashes(data["browser_hashes"])]
        return RequestInput(
            category=Category(data["category"]),
            reasons=data["reasons"],
            items=items,
            urgent=data["urgent"],
            involves_minor=data["involves_minor"],
            legal_bases=[LegalBasis(b) for b in data["legal_bases"]],
            elements=LegalElements(
                signature=data["signature"],
                good_faith_statement=data["good_faith_statement"],
                contact=data["contact"],
                notifier_name=data["notifier_name"],
                notifier_email=data["notifier_email"],
                bona_fide_statement=data["bona_fide_statement"],
            ),
            client_reference=data["client_reference"],
            victim_reference=data["victim_reference"] or None,
        )


class ImportForm(RequestForm):
    """Bulk intake: the same request fields, and lines instead of items (see services.bulk)."""

    urls = forms.CharField(
        label=_("URLs, one per line (optionally: url,sha256:…)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    urls_csv = forms.FileField(
        label=_("Or a CSV or text file (a url column, optional hash columns)"), required=False
    )

    def url_lines(self) -> list[str]:
        return []  # an import's items are its lines (import_lines), filed chunk by chunk

    def import_lines(self) -> list[str]:
        """The file's lines as they are (their numbers are what the result names), then the
        pasted ones: one list, numbered from 1."""
        lines: list[str] = []
        upload: UploadedFile | None = self.cleaned_data.get("urls_csv")
        if upload is not None:
            lines += (
                upload.read(MAX_IMPORT_BYTES).decode("utf-8-sig", errors="replace").splitlines()
            )
        pasted: str = self.cleaned_data["urls"]
        return lines + pasted.splitlines()


def _csv_urls(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    if "url" in header:
        column = header.index("url")
        return [row[column].strip() for row in rows[1:] if len(row) > column]
    return [row[0].strip() for row in rows if row]


def _browser_hashes(text: str) -> list[dict[str, Any]]:
    """SHA-256 values the browser computed for files it did not upload."""
    values = [v.strip().lower() for v in text.replace(",", "\n").splitlines()]
    return [{"type": "sha256", "value": v} for v in values if v]


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=_choices(labels.ACTIONS))
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", "—"), *_choices(labels.REASONS)]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
    question = forms.CharField(label=_("Question"), required=False, max_length=5000)

    def decision(self) -> ItemDecision:
        data = self.cleaned_data
        return ItemDecision(
            action=ItemAction.NEED_INFO
            if data["action"] == "needs_info"
            else ItemAction(data["action"]),
            reason=RejectionReason(data["reason"]) if data["reason"] else None,
            note=data["note"],
            question=data["question"],
        )


class BulkActionForm(ActionForm):
    items = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, item_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = self.fields["items"]
        assert isinstance(items, forms.TypedMultipleChoiceField)
        items.choices = [(i, str(i)) for i in item_ids]


class MessageForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("question", _("Question")), ("answer", _("Answer"))]
    )
    body = forms.CharField(label=_("Message"), max_length=20000, widget=forms.Textarea)
    reply_to = forms.IntegerField(label=_("In reply to"), required=False)
    item = forms.IntegerField(label=_("About item"), required=False)


class PeriodForm(forms.Form):
    # Outside hotline's range of days, arithmetic on a date overflows (9999-12-31 + 1 day).
    since = forms.DateField(
        label=_("From"),
        required=False,
        validators=[MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)],
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        validators=[MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)],
    )
