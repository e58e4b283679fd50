"""The design system's template tags (trackii.templatetags.ui): moments in one en-GB format with
their zone, people by name, the one form layout (help and errors linked to their fields, required
fields marked) and the error summary."""

import zoneinfo
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from participants.models import Membership
from tests.factories import DialogueFactory, PersonFactory, SessionFactory, UserFactory, level
from tests.world import member_with_account
from trackii.templatetags.ui import day, error_summary, name, when
from trackii.timezones import reading_in


def render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


class Page(HTMLParser):
    """Every id of a page, every id its aria-describedby attributes name, and its links to
    fragments."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.described_by: list[str] = []
        self.fragments: list[str] = []
        self.invalid: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        self.described_by.extend((attrs.get("aria-describedby") or "").split())
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.fragments.append(attrs["href"][1:])
        if attrs.get("aria-invalid") == "true":
            self.invalid.append(attrs.get("id") or attrs.get("name"))


def assert_every_reference_exists(html: str) -> Page:
    page = Page(html)
    assert sorted(set(page.described_by) - set(page.ids)) == []
    assert sorted(set(page.fragments) - set(page.ids)) == []
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    return page


# -- when and day ---------------------------------------------------------------------------------


def test_when_is_in_utc_for_a_reader_without_a_zone():
    moment = datetime(2026, 12, 7, 14, 30, tzinfo=UTC)
    assert when(moment) == (
        '<time datetime="2026-12-07T14:30:00+00:00">Mon 7 Dec 2026, 14:30 UTC</time>'
    )


@pytest.mark.parametrize(
    ("moment", "zone", "shown"),
    [
        # London: GMT in winter, BST in summer.
        (datetime(2026, 12, 7, 14, 30, tzinfo=UTC), "Europe/London", "Mon 7 Dec 2026, 14:30 GMT"),
        (datetime(2026, 7, 7, 14, 30, tzinfo=UTC), "Europe/London", "Tue 7 Jul 2026, 15:30 BST"),
        # Rome on the night summer time begins (01:00 UTC on 28 March 2027).
        (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), "Europe/Rome", "Sun 28 Mar 2027, 01:30 CET"),
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "Europe/Rome", "Sun 28 Mar 2027, 03:30 CEST"),
        # New York is already on summer time in mid-March.
        (datetime(2027, 3, 15, 9, tzinfo=UTC), "America/New_York", "Mon 15 Mar 2027, 05:00 EDT"),
        # Zones without letters for themselves: the offset.
        (datetime(2026, 7, 7, 14, 30, tzinfo=UTC), "Asia/Tbilisi", "Tue 7 Jul 2026, 18:30 UTC+4"),
        (
            datetime(2026, 7, 7, 14, 30, tzinfo=UTC),
            "Asia/Kathmandu",
            "Tue 7 Jul 2026, 20:15 UTC+5:45",
        ),
        (
            datetime(2026, 7, 7, 14, 30, tzinfo=UTC),
            "America/Sao_Paulo",
            "Tue 7 Jul 2026, 11:30 UTC-3",
        ),
    ],
)
def test_when_in_a_given_zone(moment, zone, shown):
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    assert when(moment, zone) == f'<time datetime="{local.isoformat()}">{shown}</time>'


def test_when_follows_the_readers_zone():
    moment = datetime(2026, 7, 7, 14, 30, tzinfo=UTC)
    with reading_in("Asia/Tokyo"):
        assert when(moment) == (
            '<time datetime="2026-07-07T23:30:00+09:00">Tue 7 Jul 2026, 23:30 JST</time>'
        )
        # A venue's zone wins over the reader's.
        assert "14:30 UTC" in when(moment, "UTC")
    with reading_in("Not/AZone"):  # a stale setting never breaks a page
        assert "14:30 UTC" in when(moment)


def test_when_and_day_without_a_value_give_a_dash():
    assert [when(None), when(""), day(None), day("")] == ["\u2014"] * 4
    assert render("{{ missing|when }} {{ missing|day }}") == "\u2014 \u2014"


def test_day_of_a_date_a_moment_and_an_iso_string():
    assert day(date(2026, 12, 7)) == '<time datetime="2026-12-07">7 Dec 2026</time>'
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    assert day(late) == '<time datetime="2026-12-07">7 Dec 2026</time>'
    assert day(late, "Asia/Tokyo") == '<time datetime="2026-12-08">8 Dec 2026</time>'
    assert day("2026-10-01T09:00:00.000Z") == '<time datetime="2026-10-01">1 Oct 2026</time>'
    assert day("not a date") == "not a date"
    assert when(date(2026, 12, 7)) == '<time datetime="2026-12-07">7 Dec 2026</time>'


def test_when_escapes_what_it_is_given():
    assert render("{{ text|when }}", text="<b>soon</b>") == "&lt;b&gt;soon&lt;/b&gt;"


# -- name -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_people_and_accounts_by_name():
    named = UserFactory(email="named@example.org", display_name="Amira Haddad")
    with_person = UserFactory(email="person@example.org")
    PersonFactory(user=with_person, full_name="Yusuf Karimov")
    bare = UserFactory(email="bare@example.org")
    membership = member_with_account(dialogue=DialogueFactory())
    membership.person.full_name = "Lena Brandt"
    membership.person.save()
    assert [
        name(named),
        name(type(with_person).objects.get(pk=with_person.pk)),
        name(bare),
        name(membership),
        name(membership.person),
        name(None),
    ] == [
        "Amira Haddad",
        "Yusuf Karimov",
        "bare@example.org",
        "Lena Brandt",
        "Lena Brandt",
        "\u2014",
    ]
    assert render("{{ who|name }}", who=PersonFactory(full_name="<Ann>")) == "&lt;Ann&gt;"


@pytest.mark.django_db
def test_top_bar_names_the_reader_and_holds_the_account_menu(client):
    user = member_with_account(dialogue=DialogueFactory()).person.user
    user.person.full_name = "Nadia Osman"
    user.person.save()
    client.force_login(user)
    content = client.get(reverse("home")).content.decode()
    assert "Signed in as <strong><bdi>Nadia Osman</bdi></strong>" in content
    assert user.email not in content
    menu = content[content.index('<details class="menu">') : content.index("</details>")]
    for label in ("My profile", "Two-factor authentication", "Signed-in devices", "Password"):
        assert f">{label}</a>" in menu
    assert ">Sign out</button>" in menu
    assert '<html lang="en-gb" dir="ltr">' in content
    assert (
        '<div id="live-region" class="visually-hidden" aria-live="polite" '
        'data-updated="Updated"></div>' in content
    )


@pytest.mark.django_db
def test_pages_write_moments_in_the_readers_own_zone(client):
    user = member_with_account(dialogue=DialogueFactory()).person.user
    signing_in = {"login": user.email, "password": "correct horse battery"}
    assert client.post(reverse("account_login"), signing_in).status_code == 302
    page = client.get(reverse("usersessions_list")).content.decode()
    assert " UTC</time>" in page
    user.time_zone = "Asia/Tokyo"
    user.save(update_fields=["time_zone"])
    page = client.get(reverse("usersessions_list")).content.decode()
    assert " JST</time>" in page
    assert " UTC</time>" not in page


# -- the form layout and the error summary ---------------------------------------------------------


class SampleForm(forms.Form):
    title = forms.CharField(help_text="What the room calls it.")
    room = forms.CharField(required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False, help_text="Plain text.")
    sides = forms.MultipleChoiceField(
        choices=[("a", "Side A"), ("b", "Side B")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Every member of these sides.",
    )
    agreed = forms.BooleanField(required=False, label="Agreed")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("room") == "clash":
            raise forms.ValidationError("Two items share the room.")
        return data


def test_form_layout_links_help_and_errors_to_their_fields():
    html = render("{% form_fields form %}", form=SampleForm())
    page = assert_every_reference_exists(html)
    assert sorted(page.described_by) == [
        "id_notes_helptext",
        "id_sides_helptext",
        "id_title_helptext",
    ]
    assert '<div class="helptext" id="id_title_helptext">What the room calls it.</div>' in html
    assert page.invalid == []

    bound = SampleForm({"room": "x"})
    html = render("{% form_fields form %}", form=bound)
    page = assert_every_reference_exists(html)
    assert sorted(page.described_by) == [
        "id_notes_helptext",
        "id_sides_error",
        "id_sides_helptext",
        "id_title_error",
        "id_title_helptext",
    ]
    assert sorted(page.invalid) == ["id_sides_0", "id_sides_1", "id_title"]
    assert '<ul class="errorlist" id="id_title_error"><li>This field is required.</li></ul>' in html


def test_form_layout_marks_required_fields_once_each_and_notes_it_once():
    html = render("{% form_fields form %}", form=SampleForm())
    marker = '<abbr class="required" title="required" aria-hidden="true">*</abbr>'
    assert html.count(marker) == 2  # title and sides
    assert 'for="id_title">Title ' + marker + "</label>" in html
    assert 'for="id_room">Room</label>' in html
    assert (
        html.count(
            '<p class="form-note"><abbr class="required" title="required">*</abbr> required</p>'
        )
        == 1
    )
    # A group of checkboxes is a fieldset whose legend says it is required in words too.
    assert (
        '<legend class="field__label">Sides '
        + marker
        + '<span class="visually-hidden">(required)</span></legend>'
    ) in html


def test_the_project_renders_forms_in_the_same_layout():
    form = SampleForm({"title": "x"})
    assert str(form) == render("{% form_fields form %}", form=form)
    assert render("{{ form }}", form=form) == render("{% form_fields form %}", form=form)


def test_error_summary_links_each_error_to_its_field():
    assert error_summary(SampleForm()) == ""
    assert error_summary(SampleForm({"title": "x", "sides": ["a"]})) == ""
    html = error_summary(SampleForm({"room": "clash", "revision": "many"}))
    assert html.startswith(
        '<div class="error-summary" role="alert" tabindex="-1" data-error-summary>'
    )
    assert '<h2 class="error-summary__title">There is a problem</h2>' in html
    assert Page(html).fragments == ["id_title", "id_title", "id_sides_0", "id_title"]
    assert '<a href="#id_title">Two items share the room.</a>' in html
    assert '<a href="#id_title">Title: This field is required.</a>' in html
    assert '<a href="#id_sides_0">Sides: This field is required.</a>' in html
    assert '<a href="#id_title">Revision: Enter a whole number.</a>' in html


def test_error_summary_of_a_form_and_a_formset():
    Recipients = forms.formset_factory(SampleForm, extra=0, min_num=1, validate_min=True)
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-room": "x"}
    html = render(
        "{% error_summary first recipients %}", first=SampleForm({}), recipients=Recipients(data)
    )
    assert Page(html).fragments == [
        "id_title",
        "id_sides_0",
        "id_form-0-title",
        "id_form-0-sides_0",
    ]


# -- on real pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_session_form_summarises_its_errors_and_every_reference_exists(login):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    client = login(convenor)
    url = reverse("dialogues:session_create", args=[convenor.dialogue_id])
    page = assert_every_reference_exists(client.get(url).content.decode())
    assert "id_start_helptext" in page.described_by
    response = client.post(url, {"title": "", "kind": "round", "level": level("Public").pk})
    html = response.content.decode()
    page = assert_every_reference_exists(html)
    assert html.index("data-error-summary") < html.index('<form method="post" class="panel form">')
    assert page.fragments[:4] == ["main", "id_title", "id_time_zone", "id_start"]
    assert "id_title" in page.invalid


@pytest.mark.django_db
def test_the_login_page_uses_the_form_layout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert_every_reference_exists(html)
    assert 'for="id_login">' in html
    response = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "x"}
    )
    html = response.content.decode()
    assert_every_reference_exists(html)
    assert "data-error-summary" in html


@pytest.mark.django_db
def test_session_dates_and_agenda_times_follow_the_one_format(login):
    member = member_with_account(dialogue=DialogueFactory())
    session = SessionFactory(
        dialogue=member.dialogue,
        start=datetime(2027, 3, 15, 8, tzinfo=UTC),
        end=datetime(2027, 3, 15, 16, tzinfo=UTC),
        level=level("Public"),
    )
    html = login(member).get(reverse("home")).content.decode()
    assert (
        '<time datetime="2027-03-15T09:00:00+01:00">Mon 15 Mar 2027, 09:00</time>\u2013'
        '<time datetime="2027-03-15T17:00:00+01:00">17:00</time> CET (Europe/Rome)'
    ) in html
    assert session.title in html


# -- dates and times typed the British way ---------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "14/03/2027 09:30",
        "14/03/2027 9:30",
        "14/03/2027 09.30",
        "14.03.2027 09:30",
        "2027-03-14T09:30",
        "2027-03-14 09:30",
        " 14/03/2027 09:30 ",
    ],
)
def test_a_date_and_time_is_read_day_first_or_as_iso(typed):
    from trackii.forms import WallClockField

    assert WallClockField().clean(typed).replace(tzinfo=None) == datetime(2027, 3, 14, 9, 30)


@pytest.mark.parametrize(
    "typed", ["03/14/2027 09:30", "14/03/2027", "31/02/2027 10:00", "14/03/2027 25:00", "soon"]
)
def test_a_date_and_time_not_day_first_is_refused_saying_how_to_type_it(typed):
    from trackii.forms import WallClockField

    with pytest.raises(forms.ValidationError) as refused:
        WallClockField().clean(typed)
    assert refused.value.messages == [
        "Enter a date and time as day/month/year and 24-hour time, such as 14/03/2027 09:30."
    ]


def test_a_date_is_read_day_first_and_shown_back_the_same_way():
    from trackii.forms import DayField

    field = DayField()
    assert field.clean("4/3/2027") == date(2027, 3, 4)
    assert field.clean("2027-03-04") == date(2027, 3, 4)
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("03/31/2027")
    assert refused.value.messages == ["Enter a date as day/month/year, such as 14/03/2027."]
    html = field.widget.render("day", date(2027, 3, 4))
    assert 'type="text"' in html
    assert 'value="04/03/2027"' in html


@pytest.mark.django_db
def test_the_session_form_takes_and_shows_times_day_first_in_the_venues_zone(login):
    """No browser date picker (it would write the browser's format): text typed day first, read
    in the venue's zone, and shown back so on the edit form."""
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    client = login(convenor)
    url = reverse("dialogues:session_create", args=[convenor.dialogue_id])
    html = client.get(url).content.decode()
    assert 'type="datetime-local"' not in html
    assert (
        '<input type="text" name="start" class="input--when" autocomplete="off" '
        'spellcheck="false" required aria-describedby="id_start_helptext" id="id_start">'
    ) in html
    assert (
        "Day/month/year and 24-hour time, in the venue's time zone: for example 14/03/2027 09:30."
    ) in html
    response = client.post(
        url,
        {
            "title": "Round 9",
            "kind": "round",
            "time_zone": "Europe/London",
            "start": "14/03/2027 09:30",
            "end": "15/03/2027 17:00",
            "level": level("Public").pk,
        },
    )
    assert response.status_code == 302
    from dialogues.models import Session

    session = Session.objects.get(title="Round 9")
    assert session.start == datetime(2027, 3, 14, 9, 30, tzinfo=UTC)  # GMT in March
    assert session.end == datetime(2027, 3, 15, 17, 0, tzinfo=UTC)
    edit = client.get(
        reverse("dialogues:session_edit", args=[convenor.dialogue_id, session.pk])
    ).content.decode()
    assert 'value="14/03/2027 09:30"' in edit
    assert 'value="15/03/2027 17:00"' in edit
