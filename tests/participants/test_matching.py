"""The name matcher (``participants.screening.matching``): pure Python, no database."""

import sys
from concurrent.futures.process import BrokenProcessPool
from types import SimpleNamespace

import pytest

from participants.screening import matching
from participants.screening.matching import (
    BIRTH_YEAR_FAR_PENALTY,
    BIRTH_YEAR_MATCH_BONUS,
    NATIONALITY_MATCH_BONUS,
    NATIONALITY_MISMATCH_PENALTY,
    WEAK_ALIAS_FACTOR,
    EntryFacts,
    EntryName,
    Matcher,
    MatchResult,
    NomineeFacts,
    normalise_name,
)


def entry(entry_id, *names, weak=(), years=(), nationalities=()):
    return EntryFacts(
        entry_id=entry_id,
        names=tuple(EntryName(n, weak=n in weak) for n in names),
        birth_years=tuple(years),
        nationalities=frozenset(nationalities),
    )


def scores(entries, *names, threshold=0.70, birth_year=None, nationality=None, limit=20):
    """(entry id, score) of every result, best first."""
    matcher = Matcher(entries, threshold=threshold)
    results = matcher.screen(NomineeFacts(names, birth_year, nationality), limit=limit)
    return [(r.entry_id, r.score) for r in results]


def score(nominee, listed, **facts):
    """The score of one nominee name against one listed name (0.0 when nothing is found)."""
    years = facts.pop("listed_years", ())
    nationalities = facts.pop("listed_nationalities", ())
    found = scores(
        [entry(1, listed, years=years, nationalities=nationalities)],
        nominee,
        threshold=0.0,
        **facts,
    )
    return found[0][1] if found else 0.0


# --- Normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Владимир Смирнов", ("vladimir", "smirnov")),
        ("Дмитрий", ("dmitriy",)),
        ("Jürgen Müller", ("jurgen", "muller")),
        ("Łukasz Wiśniewski", ("lukasz", "wisniewski")),
        ("Abd al-Rahman", ("abdrahman",)),
        ("Abdulrahman", ("abdrahman",)),
        ("Abdul Rahman", ("abdrahman",)),
        ("Abdurrahman", ("abdrahman",)),
        ("al-Qaida", ("qaida",)),
        ("Dr. J. R. Smith-Jones", ("j", "r", "smith", "jones")),
        ("Sheikh Yusuf bin Ahmed", ("sheikh", "yusuf", "bin", "ahmed")),
        ("Pieter van der Berg", ("pieter", "van", "der", "berg")),
        ("Γιώργος Παπαδόπουλος", ("giorgos", "papadopoulos")),
        ("张晓明", ("zhang", "xiaoming")),
        ("عبد الرحمن الحربي", ("abdrhmn", "hrby")),
        ("", ()),
        (" .,- ", ()),
    ],
)
def test_normalise_name_transliterates_and_folds_particles(text, expected):
    assert normalise_name(text) == expected


# --- Name similarity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nominee", "listed", "expected"),
    [
        ("Muhammad Haddad", "Mohammed Haddad", 0.974),
        ("Mohamed Haddad", "Mohammed Haddad", 0.974),
        ("Abdul Rahman Haddad", "Abd al-Rahman Haddad", 1.0),
        ("Abdulrahman Haddad", "Abdul Rahman Haddad", 1.0),
        ("al-Qaeda", "al-Qaida", 0.94),
        ("Vladimir Smirnov", "Владимир Смирнов", 1.0),
        ("Dmitriy Sokolov", "Дмитрий Соколов", 1.0),
        ("Dmitry Sokolov", "Дмитрий Соколов", 0.974),
        ("Mohammed Abdul Rahman al-Harbi", "محمد عبد الرحمن الحربي", 0.9),
        ("Jose Luis Rodriguez", "José Luis Rodríguez", 1.0),
    ],
)
def test_transliteration_variants_match(nominee, listed, expected):
    assert score(nominee, listed) == expected


def test_reordered_name_scores_as_the_same_name():
    assert score("Smirnov Vladimir", "Vladimir Smirnov") == 1.0
    assert score("Haddad Karim Omar", "Omar Karim Haddad") == 1.0


def test_initial_matches_a_given_name_with_that_letter_only():
    # Initial 0.85 on a pair weighing 0.5 + 1.0, family name exact on 1.3 + 1.3.
    assert score("J. Whitfield", "James Whitfield") == 0.89
    assert scores([entry(1, "James Whitfield")], "P. Whitfield") == []


def test_missing_middle_name_costs_little_and_is_explained():
    matcher = Matcher([entry(1, "Mohammed Abdullah al-Harbi")])
    [result] = matcher.screen(NomineeFacts(("Mohammed al-Harbi",)))
    # (1.0 x 2.0 + 1.0 x 2.6) / (2.0 + 2.6 + 0.75 x 1.0)
    assert result.score == 0.86
    assert "listed 'abdlah' is missing from the nominee's name" in result.explanation


def test_weak_alias_scores_lower_than_a_strong_one():
    entries = [
        entry(1, "Karim Haddad", "Abu Layla", weak=("Abu Layla",)),
        entry(2, "Omar Nasser", "Abu Layla"),
    ]
    assert scores(entries, "Abu Layla") == [(2, 1.0), (1, WEAK_ALIAS_FACTOR)]


@pytest.mark.parametrize(
    ("nominee", "listed"),
    [
        ("Ahmed Karimi", "Ahmed Rahimi"),
        ("John Whitfield", "Robert Whitfield"),
        ("Vladimir Smirnov", "Vladimir Sidorov"),
        ("Kwame Mensah", "Sergei Lebedev"),
    ],
)
def test_near_miss_stays_below_the_threshold(nominee, listed):
    assert scores([entry(1, listed)], nominee) == []
    assert 0.0 <= score(nominee, listed) < 0.70


# --- Secondary facts ---------------------------------------------------------------------------


def test_disjoint_birth_year_pushes_an_exact_name_below_the_threshold():
    listed = entry(1, "Karim Haddad", years=[(1960, 1962)])
    assert scores([listed], "Karim Haddad", birth_year=1990) == []
    assert scores([listed], "Karim Haddad", birth_year=1990, threshold=0.0) == [
        (1, round(1.0 - BIRTH_YEAR_FAR_PENALTY, 3))
    ]


# A name scoring 0.86 (a middle name left out), so that bonuses are not capped at 1.
SHORT, LISTED = "Mohammed al-Harbi", "Mohammed Abdullah al-Harbi"


def test_birth_year_inside_a_range_raises_the_score_slightly():
    inside = score(SHORT, LISTED, birth_year=1961, listed_years=[(1950, 1950), (1960, 1962)])
    assert inside == round(0.86 + BIRTH_YEAR_MATCH_BONUS, 3)


def test_nationality_mismatch_lowers_and_match_raises():
    other = score(SHORT, LISTED, nationality="fr", listed_nationalities=["SA"])
    same = score(SHORT, LISTED, nationality="sa", listed_nationalities=["SA", "YE"])
    assert other == round(0.86 - NATIONALITY_MISMATCH_PENALTY, 3)
    assert same == round(0.86 + NATIONALITY_MATCH_BONUS, 3)


def test_secondary_facts_are_ignored_when_one_side_lacks_them():
    assert score(SHORT, LISTED) == 0.86
    assert score(SHORT, LISTED, birth_year=1990, nationality="FR") == 0.86
    assert score(SHORT, LISTED, listed_years=[(1950, 1950)], listed_nationalities=["SA"]) == 0.86


# --- Results -----------------------------------------------------------------------------------


def test_explanation_says_which_parts_matched_and_why_the_score_moved():
    listed = EntryFacts(
        entry_id=7,
        names=(EntryName("Mohammed Abdullah Al-Tikriti"), EntryName("Abu Layla", weak=True)),
        birth_years=((1968, 1968),),
        nationalities=frozenset({"IQ"}),
    )
    [result] = Matcher([listed]).screen(
        NomineeFacts(("Hannah Okafor", "Muhammad Abdallah al Tikriti"), 1968, "IQ")
    )
    assert result == MatchResult(
        entry_id=7,
        score=1.0,
        nominee_name="Muhammad Abdallah al Tikriti",
        matched_name="Mohammed Abdullah Al-Tikriti",
        explanation=(
            "'Muhammad Abdallah al Tikriti' compared with the listed name "
            "'Mohammed Abdullah Al-Tikriti'",
            "'muhammad' ~ 'mohammed': 0.97 (transliteration)",
            "'abdlah' ~ 'abdlah': 1.00 (exact)",
            "family name 'tikriti' ~ 'tikriti': 1.00 (exact)",
            "name similarity 0.982",
            "birth year 1968 within listed 1968: +0.05",
            "nationality IQ is listed (IQ): +0.03",
            "score 1.000",
        ),
    )


def test_explanation_names_the_weak_alias_and_its_penalty():
    listed = entry(3, "Karim Haddad", "Abu Layla", weak=("Abu Layla",))
    [result] = Matcher([listed]).screen(NomineeFacts(("Abu Layla",)))
    assert result.explanation == (
        "'Abu Layla' compared with the listed weak alias 'Abu Layla'",
        "family name 'abulayla' ~ 'abulayla': 1.00 (exact)",
        "name similarity 1.000",
        f"weak (low-quality) alias: score x {WEAK_ALIAS_FACTOR}",
        "score 0.850",
    )


def test_screen_returns_one_result_per_entry_best_first():
    entries = [
        entry(1, "Omar Haddad", "Omar Hadad"),  # both names match: still one result
        entry(2, "Umar Hadad"),
        entry(3, "Kwame Mensah"),
        entry(4, "Omar Haddad"),
    ]
    found = Matcher(entries).screen(NomineeFacts(("Omar Haddad", "Omar Hadad")))
    assert [(r.entry_id, r.score, r.matched_name) for r in found] == [
        (1, 1.0, "Omar Haddad"),
        (4, 1.0, "Omar Haddad"),
        (2, 0.974, "Umar Hadad"),
    ]
    limited = Matcher(entries).screen(NomineeFacts(("Omar Haddad",)), limit=1)
    assert [r.entry_id for r in limited] == [1]


def test_screen_many_answers_in_order():
    matcher = Matcher([entry(1, "Omar Haddad"), entry(2, "Vladimir Smirnov")])
    nominees = [
        NomineeFacts(("Владимир Смирнов",)),
        NomineeFacts(("Hannah Okafor",)),
        NomineeFacts(("Omar Haddad",)),
    ]
    assert [[r.entry_id for r in found] for found in matcher.screen_many(nominees)] == [
        [2],
        [],
        [1],
    ]


def test_empty_inputs():
    assert Matcher([]).screen(NomineeFacts(("Omar Haddad",))) == []
    assert Matcher([]).screen_many([]) == []
    matcher = Matcher([entry(1, "Omar Haddad"), entry(2, "", " - ")])
    assert matcher.screen(NomineeFacts(())) == []
    assert matcher.screen(NomineeFacts(("", "...", "  "))) == []
    assert [r.entry_id for r in matcher.screen(NomineeFacts(("Omar Haddad",)))] == [1]


def test_matcher_accepts_a_generator_of_entries():
    matcher = Matcher(entry(i, name) for i, name in enumerate(["Omar Haddad", "Karim Nasser"]))
    assert [r.entry_id for r in matcher.screen(NomineeFacts(("Karim Nasser",)))] == [1]


# --- Several processes ---------------------------------------------------------------------------

FAMILIES = ["Haddad", "Nasser", "Mensah", "Smirnov", "Lopez", "Whitfield", "Okafor", "Rahimi"]
GIVEN = ["Omar", "Karim", "Kwame", "Vladimir", "Maria", "James", "Ngozi", "Ahmed"]


def crowd_entries():
    """64 entries: every given name with every family name, some with facts."""
    return [
        entry(
            i * len(FAMILIES) + j + 1,
            f"{given} {family}",
            years=[(1960 + j, 1960 + j)] if i % 2 else (),
            nationalities=["IQ"] if j % 3 == 0 else (),
        )
        for i, given in enumerate(GIVEN)
        for j, family in enumerate(FAMILIES)
    ]


def crowd_nominees(count):
    """Listed names spelled differently, with and without facts, and unlisted ones."""
    spellings = ["Omar Hadad", "Karim Naser", "Kwame Mensa", "Vladimir Smirnow", "Mariya Lopes",
                 "Jamez Whitfeld", "Ngozi Okafor", "Ahmad Rahimi", "Hannah Schmidt"]  # fmt: skip
    return [
        NomineeFacts(
            (spellings[n % len(spellings)],),
            birth_year=1960 + n % 9 if n % 4 == 0 else None,
            nationality="IQ" if n % 5 == 0 else None,
        )
        for n in range(count)
    ]


@pytest.fixture
def fork_allowed(monkeypatch):
    """The test runner's own threads (pytest-xdist) would make ``usable_processes`` refuse."""
    monkeypatch.setattr(matching.threading, "active_count", lambda: 1)


def test_forked_processes_give_the_results_of_one_process():
    matcher = Matcher(crowd_entries())
    nominees = crowd_nominees(45)
    alone = [matcher.screen(nominee) for nominee in nominees]
    assert matcher._screen_forked(nominees, 2) == alone
    assert [r.entry_id for r in alone[0]] == [1]  # Omar Haddad
    assert alone[8] == []
    assert sum(len(found) for found in alone) == 40


def test_screen_many_forks_for_a_large_batch(monkeypatch, fork_allowed):
    matcher = Matcher(crowd_entries())
    nominees = crowd_nominees(2 * matching.MIN_NOMINEES_PER_PROCESS)
    forked = []
    fork = Matcher._screen_forked
    monkeypatch.setattr(
        Matcher, "_screen_forked", lambda self, n, c: forked.append(c) or fork(self, n, c)
    )
    found = matcher.screen_many(nominees, processes=2)
    assert forked == [2]
    assert found == [matcher.screen(nominee) for nominee in nominees]


def test_screen_many_stays_in_one_process_in_a_pool_worker(monkeypatch, fork_allowed):
    """A Celery prefork worker (billiard) or a multiprocessing pool's worker is daemonic."""
    matcher = Matcher(crowd_entries())
    nominees = crowd_nominees(2 * matching.MIN_NOMINEES_PER_PROCESS)
    monkeypatch.setattr(Matcher, "_screen_forked", lambda *args: pytest.fail("forked"))
    monkeypatch.setattr(
        matching.multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True)
    )
    assert matcher.screen_many(nominees, processes=2) == [matcher.screen(n) for n in nominees]


def test_screen_many_finishes_alone_when_a_process_dies(monkeypatch, fork_allowed):
    matcher = Matcher(crowd_entries())
    nominees = crowd_nominees(2 * matching.MIN_NOMINEES_PER_PROCESS)

    def broken(*args):
        raise BrokenProcessPool("killed")

    monkeypatch.setattr(Matcher, "_screen_forked", broken)
    assert matcher.screen_many(nominees, processes=2) == [matcher.screen(n) for n in nominees]


def test_usable_processes(monkeypatch, fork_allowed):
    per = matching.MIN_NOMINEES_PER_PROCESS
    monkeypatch.setattr(matching.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert matching.usable_processes(None, 10 * per) == 2
    assert matching.usable_processes(4, 10 * per) == 4
    assert matching.usable_processes(4, 3 * per) == 3
    assert matching.usable_processes(2, 2 * per - 1) == 1
    assert matching.usable_processes(1, 10 * per) == 1


def test_usable_processes_refuses_a_daemon_or_threads(monkeypatch):
    per = matching.MIN_NOMINEES_PER_PROCESS
    monkeypatch.setattr(matching.threading, "active_count", lambda: 2)
    assert matching.usable_processes(2, 10 * per) == 1
    monkeypatch.setattr(matching.threading, "active_count", lambda: 1)
    billiard = SimpleNamespace(current_process=lambda: SimpleNamespace(daemon=True))
    monkeypatch.setitem(sys.modules, "billiard.process", billiard)
    assert matching.usable_processes(2, 10 * per) == 1
    monkeypatch.setitem(
        sys.modules,
        "billiard.process",
        SimpleNamespace(current_process=lambda: SimpleNamespace(daemon=False)),
    )
    assert matching.usable_processes(2, 10 * per) == 2
