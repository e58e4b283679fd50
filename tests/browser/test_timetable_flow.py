"""Issue 17's planning flow in the browser, on the demo organisation: the facilitator plans a
two-day round of eight items on the timetable (the new item's defaults, a drag to the second
day, a resize, moves from the keyboard), previews publishing, publishes, and the participant
reads exactly what the preview said they would; the same plan again without JavaScript, through
the plain forms. Every page is checked by axe-core and for width (``inspect``) at 1366 and 390 px,
and every action a person takes is counted (docs/measurements.md, "Planning flow")."""

import io
import re
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command

from dialogues.models import AgendaItem, Dialogue, Session
from participants.models import Person, User
from tests.browser.conftest import inspect, sign_in
from tests.conftest import enable_mfa, restore_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROME = zoneinfo.ZoneInfo("Europe/Rome")
ITEMS = [
    ("Welcome and ground rules", None),
    ("Each side's account of the dry season", "Participants: those taking part in the session"),
    ("Lunch", None),
    ("Gauge data from both sides", "Participants: those taking part in the session"),
    ("Convenors' huddle", "Facilitators: the convening team"),
    ("Options for dry-season sharing", None),
    ("Field visit to the Teodor Dam", None),
    ("Closing: what each side takes home", None),
]


# The keystroke-level model (Card, Moran and Newell), to estimate a person's time from what they
# do: M, thinking before an action; P, pointing with the mouse; B, a button pressed or released;
# H, a hand from mouse to keyboard; K, a key (an average typist).
M, P, B, H, K = 1.35, 1.1, 0.1, 0.4, 0.28


class Actions:
    """Counts what a person does (each fill, choice, click, key or drag is one action) and
    estimates their time by the keystroke-level model."""

    def __init__(self, page):
        self.page = page
        self.count = 0
        self.seconds = 0.0

    def fill(self, selector, value):
        self.count += 1
        self.seconds += M + P + 2 * B + H + K * len(value)
        self.page.fill(selector, value)

    def select(self, selector, **option):
        self.count += 1
        self.seconds += M + 2 * (P + 2 * B)
        self.page.select_option(selector, **option)

    def click(self, locator):
        self.count += 1
        self.seconds += M + P + 2 * B
        locator.click()

    def press(self, locator, key):
        self.count += 1
        self.seconds += M + K
        locator.press(key)

    def drag(self, source, x, y):
        """Press on ``source``, move to the page point (x, y), release: one action."""
        self.count += 1
        self.seconds += M + 2 * (P + B)
        box = source.bounding_box()
        self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 8)
        self.page.mouse.down()
        self.page.mouse.move(x, y, steps=8)
        self.page.mouse.up()


@pytest.fixture
def demo():
    restore_reference_data()
    call_command("seed_demo", stdout=io.StringIO())
    facilitator = User.objects.get(email="facilitator@demo.trackii.org")
    enable_mfa(facilitator)
    return {
        "dialogue": Dialogue.objects.get(title="Salt River Dialogue"),
        "facilitator": facilitator,
    }


def local(item: AgendaItem) -> tuple[str, str]:
    item.refresh_from_db()
    return (
        item.start.astimezone(ROME).strftime("%a %H:%M"),
        item.end.astimezone(ROME).strftime("%a %H:%M"),
    )


def plan_the_round(page, act: Actions, dialogue: Dialogue, title: str) -> Session:
    page.goto(f"/dialogues/{dialogue.pk}/sessions/new/")
    act.fill("#id_title", title)
    act.fill("#id_venue", "Villa Ombrosa")
    act.select("#id_time_zone", value="Europe/Rome")
    act.fill("#id_start", "07/06/2027 09:00")
    act.fill("#id_end", "08/06/2027 17:00")
    act.click(page.get_by_label("Osterlan", exact=True))
    act.click(page.get_by_label("Marovian", exact=True))
    act.click(page.get_by_role("button", name="Plan the session"))
    page.wait_for_url("**/agenda/")
    return Session.objects.get(title=title)


def add_items(page, act: Actions) -> None:
    """Each item: its title (and a level when not the default), then "Add the item": the start
    follows the last item's end, the length the last item's."""
    for title, level in ITEMS:
        form = page.locator("#agenda-editor form.form").last
        assert form.locator("#id_start").input_value() != ""  # a default is offered
        act.fill("#agenda-editor form.form >> nth=-1 >> #id_title", title)
        if level:
            act.select("#agenda-editor form.form >> nth=-1 >> #id_level", label=level)
        act.click(form.get_by_role("button", name="Add the item"))
        page.locator(".tt-item__title", has_text=title).wait_for()


def test_facilitator_plans_on_the_timetable_previews_and_publishes(journey, width, demo):
    page = journey("facilitator")
    sign_in(page, demo["facilitator"].email, user=demo["facilitator"])
    act = Actions(page)
    round_3 = plan_the_round(page, act, demo["dialogue"], "Round 3: Monitoring the dam")
    add_items(page, act)
    items = {i.title: i for i in AgendaItem.objects.filter(session=round_3)}
    # Eight one-hour items from 09:00 on the first day, one after the other.
    assert [local(items[t]) for t, _ in ITEMS[:2]] == [
        ("Mon 09:00", "Mon 10:00"),
        ("Mon 10:00", "Mon 11:00"),
    ]
    assert local(items["Closing: what each side takes home"]) == ("Mon 16:00", "Mon 17:00")
    inspect(page, "12-timetable")

    if width == "desktop":
        # A window tall enough for the whole day's grid, as on a large screen (the mouse acts
        # within the window only).
        page.set_viewport_size({"width": 1366, "height": 2000})
        page.locator(".timetable").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, document.querySelector('.timetable').offsetTop - 80)")

        def row_height() -> float:
            rows = int(page.locator(".timetable").get_attribute("data-rows"))
            return page.locator(".tt-lane").first.bounding_box()["height"] / rows

        # Drag the field visit to Tuesday at 10:00, then the closing to Tuesday 16:00.
        def drag_to(pk: int, day: str, rows_from_eight: int) -> None:
            page.evaluate("window.scrollTo(0, document.querySelector('.timetable').offsetTop - 80)")
            item = page.locator(f"#tt-item-{pk}")
            row = row_height()
            head = page.locator(f".tt-head[data-day='{day}']").bounding_box()
            top = page.locator(".tt-lane").first.bounding_box()["y"]
            with page.expect_response(lambda r: "/retime/" in r.url):
                act.drag(item, head["x"] + head["width"] / 2, top + rows_from_eight * row + 8)
            page.locator(f"#tt-item-{pk}[data-row='{rows_from_eight + 1}']").wait_for()

        drag_to(items["Field visit to the Teodor Dam"].pk, "2027-06-08", 8)
        drag_to(items["Closing: what each side takes home"].pk, "2027-06-08", 32)
        # Make the visit two hours long: drag its lower edge four rows down.
        page.evaluate("window.scrollTo(0, document.querySelector('.timetable').offsetTop - 80)")
        edge = page.locator(f"#tt-item-{items['Field visit to the Teodor Dam'].pk} [data-resize]")
        row = (
            page.locator(f"#tt-item-{items['Field visit to the Teodor Dam'].pk}").bounding_box()[
                "height"
            ]
            / 4
        )
        box = edge.bounding_box()
        with page.expect_response(lambda r: "/retime/" in r.url):
            act.count += 1
            act.seconds += M + 2 * (P + B)
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 2)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 2 + 4 * row, steps=8)
            page.mouse.up()
        page.locator(".tt-item--dragging").wait_for(state="detached")
        assert local(items["Field visit to the Teodor Dam"]) == ("Tue 10:00", "Tue 12:00")
        assert local(items["Closing: what each side takes home"]) == ("Tue 16:00", "Tue 17:00")
        page.set_viewport_size({"width": 1366, "height": 900})
    # From the keyboard: the convenors' huddle 15 minutes later, through its Move menu.
    huddle = items["Convenors' huddle"]
    menu = page.locator(f"#tt-item-{huddle.pk} summary")
    act.press(menu, "Enter")
    later = page.get_by_role("button", name="“Convenors' huddle” 15 minutes later")
    later.focus()
    with page.expect_response(lambda r: "/retime/" in r.url):
        act.press(later, "Enter")
    page.locator("#agenda-editor").wait_for()
    page.wait_for_function(f"document.querySelector('#tt-item-{huddle.pk}').dataset.row === '22'")
    assert local(huddle) == ("Mon 13:15", "Mon 14:15")
    inspect(page, "13-timetable-moved")

    # Preview: who will be told what.
    act.click(page.get_by_role("link", name="Preview and publish the agenda"))
    page.wait_for_url("**/agenda/publish/")
    inspect(page, "14-publish-preview")
    groups = page.locator(".preview-group")
    told = sum(len(h.split(", ")) for h in groups.locator("h3").all_inner_texts())
    name = Person.objects.get(user__email="participant@demo.trackii.org").full_name
    participant_group = groups.filter(has_text=name)
    shown = [
        t.split("\n")[0].replace(" new", "").strip()
        for t in participant_group.locator(".preview-reads li").all_inner_texts()
    ]
    assert "Convenors' huddle" not in shown
    mail.outbox.clear()
    act.click(page.get_by_role("button", name="Publish version 1"))
    page.locator(".message--success", has_text="Published version 1").wait_for()
    assert len(mail.outbox) == told > 0
    actions, seconds = act.count, act.seconds

    # The participant reads exactly what the preview said.
    page.context.clear_cookies()
    sign_in(page, "participant@demo.trackii.org")
    page.goto(f"/dialogues/{round_3.dialogue_id}/sessions/{round_3.pk}/")
    read = [t.split("\n")[0].strip() for t in page.locator(".agenda__title").all_inner_texts()]
    assert sorted(read) == sorted(shown)
    assert len(read) == len(shown) == 7
    print(
        f"planning flow ({width}): {actions} actions, about {seconds / 60:.1f} minutes of a "
        "person's time (keystroke-level model) to plan and publish a round of 8 items"
    )
    assert actions < 40


def test_the_same_plan_without_javascript(browser, live_server, demo):
    """Signed in with the security key (which needs the browser's script), then the whole plan
    in a browser that runs none."""
    signing = browser.new_context(base_url=live_server.url, locale="en-GB")
    sign_in(signing.new_page(), demo["facilitator"].email, user=demo["facilitator"])
    state = signing.storage_state()
    signing.close()
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        locale="en-GB",
        viewport={"width": 1366, "height": 900},
        storage_state=state,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        act = Actions(page)
        round_3 = plan_the_round(page, act, demo["dialogue"], "Round 3 (plain forms)")
        for title, level in ITEMS:
            act.fill("#agenda-editor form.form >> nth=-1 >> #id_title", title)
            if level:
                act.select("#agenda-editor form.form >> nth=-1 >> #id_level", label=level)
            act.click(
                page.locator("#agenda-editor form.form").last.get_by_role(
                    "button", name="Add the item"
                )
            )
            page.locator(".message--success", has_text="Item added.").wait_for()
        items = {i.title: i for i in AgendaItem.objects.filter(session=round_3)}
        assert len(items) == 8
        visit = items["Field visit to the Teodor Dam"]
        act.click(page.locator(f"#tt-item-{visit.pk} summary"))
        act.click(
            page.get_by_role("button", name="“Field visit to the Teodor Dam” 15 minutes longer")
        )
        page.locator(".message--success", has_text="moved.").wait_for()
        assert local(visit) == ("Mon 15:00", "Mon 16:15")
        act.click(page.get_by_role("link", name="Preview and publish the agenda"))
        act.click(page.get_by_role("button", name="Publish version 1"))
        page.locator(".message--success", has_text="Published version 1").wait_for()
        round_3.refresh_from_db()
        assert round_3.published_version == 1
        print(
            f"planning flow without JavaScript: {act.count} actions, about "
            f"{act.seconds / 60:.1f} minutes"
        )
    finally:
        context.close()


def test_facilitator_copies_last_rounds_agenda_previews_and_publishes(journey, width, demo):
    """The next round reuses the last one's shape: its agenda copied (only what the facilitator
    sees, levels kept, no named readers), previewed, published; the participant reads what the
    preview listed for them."""
    page = journey("facilitator")
    sign_in(page, demo["facilitator"].email, user=demo["facilitator"])
    act = Actions(page)
    page.goto(f"/dialogues/{demo['dialogue'].pk}/sessions/new/")
    act.fill("#id_title", "Round 3: Monitoring the dam")
    act.fill("#id_venue", "Villa Ombrosa")
    act.select("#id_time_zone", value="Europe/Rome")
    act.fill("#id_start", "07/06/2027 09:00")
    act.fill("#id_end", "09/06/2027 13:00")
    act.click(page.get_by_label("Osterlan", exact=True))
    act.click(page.get_by_label("Marovian", exact=True))
    act.click(page.get_by_role("button", name="Plan the session"))
    page.wait_for_url("**/agenda/")
    round_3 = Session.objects.get(title="Round 3: Monitoring the dam")
    act.click(page.get_by_role("link", name="Reuse an agenda"))
    act.click(page.get_by_role("link", name="Preview the agenda of Round 2: Water-sharing options"))
    inspect(page, "15-reuse-preview")
    act.click(page.get_by_role("button", name=re.compile(r"^Copy \d+ items onto this agenda$")))
    page.wait_for_url("**/agenda/")
    round_2 = Session.objects.get(title="Round 2: Water-sharing options")
    copied = list(AgendaItem.objects.filter(session=round_3).order_by("order"))
    assert [i.title for i in copied] == [
        i.title for i in AgendaItem.objects.filter(session=round_2).order_by("order")
    ]
    # Levels kept; no reader copied (an item names whoever makes it: the facilitator).
    assert [i.level.name for i in copied] == [
        i.level.name for i in AgendaItem.objects.filter(session=round_2).order_by("order")
    ]
    assert {p.user_id for i in copied for p in i.readers.all()} <= {demo["facilitator"].pk}
    inspect(page, "16-copied")

    act.click(page.get_by_role("link", name="Preview and publish the agenda"))
    name = Person.objects.get(user__email="participant@demo.trackii.org").full_name
    group = page.locator(".preview-group").filter(has_text=name)
    shown = [
        t.split("\n")[0].replace(" new", "").strip()
        for t in group.locator(".preview-reads li").all_inner_texts()
    ]
    # Named on Round 2's Restricted bilateral, the participant is named on no copy of it.
    assert "Bilateral: Osterlan water engineers" not in shown
    inspect(page, "17-preview-after-copy")
    act.click(page.get_by_role("button", name="Publish version 1"))
    page.locator(".message--success", has_text="Published version 1").wait_for()
    print(
        f"copying last round's agenda ({width}): {act.count} actions, about "
        f"{act.seconds / 60:.1f} minutes to plan and publish"
    )

    page.context.clear_cookies()
    sign_in(page, "participant@demo.trackii.org")
    page.goto(f"/dialogues/{round_3.dialogue_id}/sessions/{round_3.pk}/")
    read = [t.split("\n")[0].strip() for t in page.locator(".agenda__title").all_inner_texts()]
    assert read == shown
