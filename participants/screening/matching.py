"""Name matching for screening: nominees against designation-list entries, across scripts and
spelling variants, the way the open-source state of the art does it (OpenSanctions' yente,
nomenklatura and rigour): normalise and transliterate names, compare the parts of two names
pairwise with fuzzy edit costs, weigh family names more, treat weak aliases lower, score 0..1,
then adjust with secondary facts (birth year, nationality) where both sides have them.

Pure Python and numpy, no ORM: ``participants.screening.runner`` turns model rows into the facts
below. Candidates are retrieved through an inverted index over name parts (spelling keys and
their one-letter deletions, so typos and transliteration variants meet), so screening does not
compare every nominee with every entry; only the candidates are scored in full.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from anyascii import anyascii
from rapidfuzz.distance import OSA

logger = logging.getLogger(__name__)

# --- The interface -------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryName:
    text: str
    weak: bool = False
    original_script: bool = False


@dataclass(frozen=True)
class EntryFacts:
    entry_id: int
    names: tuple[EntryName, ...]  # primary name, original-script name, aliases
    birth_years: tuple[tuple[int, int], ...] = ()  # (from, to) ranges; exact date -> (y, y)
    nationalities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NomineeFacts:
    names: tuple[str, ...]  # full name, original-script name, other names
    birth_year: int | None = None
    nationality: str | None = None


@dataclass(frozen=True)
class MatchResult:
    entry_id: int
    score: float  # 0..1 after adjustments, rounded to 3 places
    nominee_name: str  # the nominee's name that matched best
    matched_name: str  # the entry's name or alias that matched
    explanation: tuple[str, ...]


# --- Tuning constants (set from reasoning about the score, not fitted to single cases) --------

#: A part similarity at or below this counts for nothing; above it, it rises linearly to 1.
PART_FLOOR = 0.5
#: Weight of a family name (the last part; the first for Chinese names and "Surname Given
#: Patronymic" order), of a given or middle name, of a patronymic, an initial, a particle.
FAMILY_WEIGHT = 1.3
GIVEN_WEIGHT = 1.0
PATRONYMIC_WEIGHT = 0.6
INITIAL_WEIGHT = 0.5
WEAK_PART_WEIGHT = 0.2
#: A part present on one side only (a middle name left out) costs this share of its weight; a
#: part that conflicts with an unmatched part of the other side costs its full weight.
MISSING_PART_COST = 0.75
#: An initial against a name with that first letter.
INITIAL_SIMILARITY = 0.85
#: Spelling keys and consonant skeletons lose a little against exact spellings.
KEY_DISCOUNT = 0.97
SKELETON_DISCOUNT = 0.95
ARTICLE_DISCOUNT = 0.95
#: Whole-name comparison (parts joined), used when the two names split their parts differently.
JOINED_DISCOUNT = 0.95
JOINED_SLOPE = 2.5
#: A name of one part against a name of several is weak evidence.
SINGLE_PART_FACTOR = 0.85
WEAK_ALIAS_FACTOR = 0.85
BIRTH_YEAR_MATCH_BONUS = 0.05
BIRTH_YEAR_NEAR_PENALTY = 0.10  # one year outside every range: approximations and typos
BIRTH_YEAR_FAR_PENALTY = 0.35  # two or more years outside: a different person, usually
NATIONALITY_MATCH_BONUS = 0.03
NATIONALITY_MISMATCH_PENALTY = 0.10
#: At most this many candidate names per nominee name are scored in full, best first: a guard
#: against pathological lists, not reached on the benchmark.
MAX_CANDIDATES = 300
#: What the parts met in screening reach is kept for this many names in all (about 50 MB).
HITS_CACHE_NAMES = 3_000_000
#: A score this far below the threshold still rounds (to 3 places) up to it.
_ROUNDING = 0.0005


# --- Normalisation ----------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TITLES = _words("mr mrs ms miss mme mlle dr prof sir dame lord hon rev gen col maj capt lt sgt")
_HONORIFICS = _words(
    "sheikh shaikh shaykh sheik haji hajji hadji alhaji mullah mulla maulana mawlana maulvi "
    "mawlawi imam"
)
_ARTICLES = frozenset({"al", "el"})
_PATRONYMIC_PARTICLES = frozenset({"bin", "ibn", "ben", "bint", "binti", "ibnu", "ould", "wuld"})
_PARTICLES = _words("van von de der den da di du dos das del della delle la le ter ten y zu af av")
_ABD_WORDS = _words("abd abdul abdel abdal abdol abdoul abdou abdu abdur abdor abder abdil")
_ABU_WORDS = frozenset({"abu", "abou", "abo"})
_PATRONYMIC_ENDINGS = ("ovich", "evich", "ovna", "evna", "ichna", "inichna", "ovych", "ivna")

# Arabic-script words that are an article, "abd" or a patronymic particle.
_AR_ARTICLE = "\u0627\u0644"  # al-
_AR_ABD = "\u0639\u0628\u062f"  # abd
_AR_PATRONYMIC = frozenset({"\u0628\u0646", "\u0627\u0628\u0646", "\u0628\u0646\u062a"})
_AR_ABU = frozenset({"\u0627\u0628\u0648", "\u0623\u0628\u0648"})

# Latin "al-", "ad-", "ash-", "ul-"... glued to the next word by a hyphen: the Arabic article.
_HYPHEN_ARTICLE = re.compile(
    r"(?<![^\W\d_])(?:[aeu][lnrstdz]|[ae]sh)[-\u2010\u2011\u2012\u2013\u2014](?=[^\W\d_])",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[^\w'\u2019\u02bc\u02bf\u02be`]+|_")
_NON_LETTERS = re.compile(r"[^a-z]")


def _script(token: str) -> str:
    for char in token:
        code = ord(char)
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
            return "arabic"
        if 0x0590 <= code <= 0x05FF:
            return "hebrew"
        if 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF:
            return "han"
        if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
            return "greek"
    return "other"


def _latin(text: str) -> str:
    return _NON_LETTERS.sub("", anyascii(text).casefold())


def _strip_joined_article(rest: str) -> str:
    """'ulrahman' -> 'rahman', 'urrahman' -> 'rahman', 'ullah' -> 'lah', 'irahman' -> 'rahman'."""
    stripped = re.sub(r"^[aeiou]+(?:l(?=.)|([^aeiou])(?=\1))?", "", rest)
    return stripped or rest


@dataclass(frozen=True)
class _Token:
    text: str
    abjad: bool = False  # written without short vowels (Arabic, Hebrew): compare skeletons
    initial: bool = False
    han: bool = False
    skeleton: str = ""  # built letter by letter for abjad words, where 'zh' may be z + h


def _raw_tokens(text: str) -> list[_Token]:
    text = unicodedata.normalize("NFKC", text).replace("\u0640", "")  # tatweel
    text = _HYPHEN_ARTICLE.sub(" ", text)
    tokens: list[_Token] = []
    for raw in _SPLIT.split(text):
        if raw:
            tokens.extend(_word_tokens(raw))
    return tokens


@lru_cache(maxsize=200_000)
def _word_tokens(raw: str) -> tuple[_Token, ...]:
    """One written word, transliterated: usually one token, two for a Chinese name or for an
    Arabic word with 'abd' glued to it."""
    script = _script(raw)
    if script == "arabic":
        return tuple(_arabic_tokens(raw))
    if script == "han":
        syllables = [_latin(char) for char in raw if _script(char) == "han"]
        syllables = [s for s in syllables if s]
        # Chinese names: a one-character surname, then the given name written as one word.
        if not syllables:
            return ()
        if len(syllables) == 1:
            return (_Token(syllables[0], han=True),)
        return (_Token(syllables[0], han=True), _Token("".join(syllables[1:]), han=True))
    latin = anyascii(raw)
    if script == "greek":
        latin = re.sub("oy", "ou", latin, flags=re.IGNORECASE)
    word = _NON_LETTERS.sub("", latin.casefold())
    if not word:
        return ()
    if script == "hebrew":
        return (_Token(word, abjad=True, skeleton=_abjad_skeleton(raw)),)
    return (_Token(word, initial=len(word) == 1 and script == "other"),)


def _arabic_tokens(raw: str) -> list[_Token]:
    words: list[str] = []
    if raw.startswith(_AR_ABD) and len(raw) > 3:
        words += [_AR_ABD, raw[3:]]  # Abdallah, Abdelrahman written as one word
    else:
        words.append(raw)
    result = []
    for word in words:
        if word.startswith(_AR_ARTICLE) and len(word) >= 4:
            word = word[2:]
        if word in _AR_PATRONYMIC:
            result.append(_Token("bin", abjad=True, skeleton="bn"))
        elif word in _AR_ABU:
            result.append(_Token("abu", abjad=True, skeleton="b"))
        elif word == _AR_ABD:
            result.append(_Token("abd", abjad=True, skeleton="bd"))
        else:
            latin = _latin(word)
            if latin:
                result.append(_Token(latin, abjad=True, skeleton=_abjad_skeleton(word)))
    return result


@dataclass(frozen=True, slots=True, eq=False)  # identity: parts are made once and cached
class _Part:
    text: str
    keys: tuple[str, ...]  # spelling keys: transliteration variants meet here
    skeleton: str  # consonants only: how a name written without short vowels compares
    abjad: bool
    initial: bool
    weak: bool
    weight: float
    sig: str  # identifies the part for caches
    joined: bool = False  # adjacent parts written as one, for retrieval only


_KEY_RULES = [
    (re.compile(p), r)
    for p, r in [
        ("x", "ks"),
        ("ph", "f"),
        ("ck", "k"),
        ("q", "k"),
        ("c(?!h)", "k"),
        ("dzh|dj", "j"),
        ("zh", "j"),
        ("dh", "d"),
        ("w", "v"),
        ("ou|oo", "u"),
        ("ee", "i"),
        ("^ye", "e"),
        ("(?<=[^aeiouy])yo", "e"),
        ("iy", "i"),
        ("ey", "ei"),
        ("y", "i"),
        ("(?<=[aeiou])h$", ""),
        (r"(.)\1+", r"\1"),
        ("o", "u"),
    ]
]
_SKELETON_RULES = [
    (re.compile(p), r)
    for p, r in [
        ("x", "ks"),
        ("dzh|dj", "j"),
        ("zh", "j"),
        ("sh", "s"),
        ("kh", "k"),
        ("gh", "g"),
        ("th", "t"),
        ("dh", "d"),
        ("ph", "f"),
        ("ch", "j"),
        ("q|ck|c", "k"),
        ("(?<=.)[wy]", ""),
        ("[aeiou]", ""),
        ("(?<=.)h$", ""),
        (r"(.)\1+", r"\1"),
    ]
]


@lru_cache(maxsize=200_000)
def _spelling_keys(text: str) -> tuple[str, ...]:
    """Spelling keys of a Latin part: the derived keys first (one or two), then the text itself
    when it differs from them."""
    key = text
    for pattern, repl in _KEY_RULES:
        key = pattern.sub(repl, key)
    # An 'e' stands for an Arabic fatha (Ahmed/Ahmad) as often as for a kasra (Khaled/Khalid).
    keys = [re.sub(r"(.)\1+", r"\1", key.replace("e", "a"))]
    with_i = re.sub(r"(.)\1+", r"\1", key.replace("e", "i"))
    if with_i != keys[0]:
        keys.append(with_i)
    if text not in keys:
        keys.append(text)
    return tuple(keys)


def _derived_keys(keys: tuple[str, ...], text: str) -> tuple[str, ...]:
    return tuple(k for k in keys if k != text) or keys


@lru_cache(maxsize=200_000)
def _skeleton(text: str) -> str:
    for pattern, repl in _SKELETON_RULES:
        text = pattern.sub(repl, text)
    return text


_LETTER_CLASSES = {"sh": "s", "kh": "k", "th": "t", "dh": "d", "gh": "g", "zh": "j", "ch": "j",
                   "ts": "s", "tz": "s", "q": "k", "c": "k"}  # fmt: skip


@lru_cache(maxsize=200_000)
def _abjad_skeleton(word: str) -> str:
    """Consonant skeleton of a word in Arabic or Hebrew script, transliterated letter by letter
    so that two adjacent letters are never read as one digraph."""
    letters = []
    for char in word:
        latin = _latin(char)
        letters.append(_LETTER_CLASSES.get(latin, latin))
    if not letters:
        return ""
    # Long vowels and the weak letters waw and ya are vowels unless they start the word.
    text = letters[0] + "".join(
        c for c in letters[1:] if c not in ("a", "e", "i", "o", "u", "w", "y")
    )
    text = re.sub("^[aeiou]+(?=.)", "", text)
    text = re.sub("(?<=.)h$", "", text)
    return re.sub(r"(.)\1+", r"\1", text)


def _join_skeletons(*skeletons: str) -> str:
    """Concatenate, writing a letter doubled across a boundary once."""
    joined = ""
    for piece in skeletons:
        if joined and piece and joined[-1] == piece[0]:
            piece = piece[1:]
        joined += piece
    return joined


def _merge_compounds(tokens: list[_Token]) -> list[tuple[_Token, str]]:
    """Resolve articles, 'Abd al-...' and 'Abu ...' compounds and particles.

    Returns (token, role) with role "name", "weak" (particle, honorific) or "initial".
    """
    kept = [t for t in tokens if t.text not in _TITLES or t.abjad]
    result: list[tuple[_Token, str]] = []
    i = 0
    while i < len(kept):
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        merged, used = _merge_one(kept[i], nxt, after_first=bool(result))
        if merged is not None:
            result.append(merged)
        i += used
    return result


def _merge_one(
    token: _Token, nxt: _Token | None, *, after_first: bool
) -> tuple[tuple[_Token, str] | None, int]:
    """``token`` (with the token after it, if any) as a (token, role) of the name, or None if it
    is left out; and how many tokens that used (2 when it took the next one in)."""
    if token.initial:
        return (token, "initial"), 1
    if token.text in _ARTICLES and nxt is not None and not token.abjad:
        return None, 1  # the article: Arabic writes it joined, Latin lists drop it as often as not
    compound = _compound(token, nxt)
    if compound is not None:
        return compound
    return (_particle_or_name(token, nxt, after_first=after_first), 1)


def _compound(token: _Token, nxt: _Token | None) -> tuple[tuple[_Token, str], int] | None:
    """'Abd al-Rahman', 'Abdelrahman' and 'Abu Bakr' as one name part; None for anything else."""
    text = token.text
    if text in _ABD_WORDS and nxt is not None and not nxt.initial:
        rest = nxt.text
        if rest.startswith(("al", "el")) and len(rest) > 4:
            rest = rest[2:]
        skeleton = _join_skeletons("bd", _skeleton(rest) if not nxt.abjad else nxt.skeleton)
        merged = _Token("abd" + rest, abjad=token.abjad or nxt.abjad, skeleton=skeleton)
        return (merged, "name"), 2
    if text.startswith("abd") and len(text) >= 6 and not token.abjad:
        return (_Token("abd" + _strip_joined_article(text[3:])), "name"), 1
    if text in _ABU_WORDS and nxt is not None and not nxt.initial:
        skeleton = _join_skeletons("b", nxt.skeleton or _skeleton(nxt.text))
        abjad = token.abjad or nxt.abjad
        return (_Token("abu" + nxt.text, abjad=abjad, skeleton=skeleton), "name"), 2
    return None


def _particle_or_name(
    token: _Token, nxt: _Token | None, *, after_first: bool
) -> tuple[_Token, str]:
    """A particle ('bin', 'van') between parts, or an honorific, weighs little; else a name."""
    text = token.text
    between = after_first and nxt is not None
    if text in _PATRONYMIC_PARTICLES and between:
        return _Token("bin", abjad=token.abjad, skeleton="bn"), "weak"
    if (text in _PARTICLES and between) or text in _HONORIFICS:
        return token, "weak"
    return token, "name"


@lru_cache(maxsize=100_000)
def _parse(text: str) -> tuple[_Part, ...]:
    merged = _merge_compounds(_raw_tokens(text or ""))
    strong = [i for i, (_, role) in enumerate(merged) if role == "name"]
    family = None
    if strong:
        first, last = merged[strong[0]][0], merged[strong[-1]][0]
        if first.han:
            family = strong[0]
        elif last.text.endswith(_PATRONYMIC_ENDINGS) and len(strong) >= 3:
            family = strong[0]  # Russian official order: Surname Given Patronymic
        else:
            family = strong[-1]
    parts = []
    for i, (token, role) in enumerate(merged):
        if role == "weak":
            weight = WEAK_PART_WEIGHT
        elif role == "initial":
            weight = INITIAL_WEIGHT
        elif i == family:
            weight = FAMILY_WEIGHT
        elif token.text.endswith(_PATRONYMIC_ENDINGS):
            weight = PATRONYMIC_WEIGHT
        else:
            weight = GIVEN_WEIGHT
        parts.append(_make_part(token, role, weight))
    return tuple(parts)


@lru_cache(maxsize=200_000)
def _make_part(token: _Token, role: str, weight: float) -> _Part:
    return _Part(
        text=token.text,
        keys=() if token.abjad else _spelling_keys(token.text),
        skeleton=token.skeleton or _skeleton(token.text),
        abjad=token.abjad,
        initial=role == "initial",
        weak=role == "weak",
        weight=weight,
        sig=f"{token.text}|{int(token.abjad)}{int(role == 'initial')}",
    )


def normalise_name(text: str) -> tuple[str, ...]:
    """The name's parts, transliterated to lower-case ASCII: honorific titles dropped, the
    Arabic article folded into the next part, 'Abd al-...' and 'Abu ...' written as one part,
    particles ('bin', 'van', 'de') kept; they weigh little in comparisons."""
    return tuple(part.text for part in _parse(text))


# --- Comparing parts and names -----------------------------------------------------------------


def _raw_similarity(a: _Part, b: _Part) -> tuple[float, str]:
    """Similarity of two parts in 0..1 and how it was reached."""
    if a.initial or b.initial:
        if a.initial and b.initial:
            return (1.0, "initial") if a.text == b.text else (0.0, "initial")
        full = b if a.initial else a
        short = a if a.initial else b
        if full.text[:1] == short.text:
            return INITIAL_SIMILARITY, "initial"
        return 0.0, "initial"
    if a.text == b.text:
        return 1.0, "exact"
    if a.abjad or b.abjad:
        both_abjad = a.abjad and b.abjad
        sim = OSA.normalized_similarity(a.skeleton, b.skeleton)
        return sim * (1.0 if both_abjad else SKELETON_DISCOUNT), "consonants"
    best, how = OSA.normalized_similarity(a.text, b.text), "spelling"
    for ka in a.keys:
        for kb in b.keys:
            if ka == kb:
                return KEY_DISCOUNT, "transliteration"
    key_sim = KEY_DISCOUNT * max(
        OSA.normalized_similarity(ka, kb) for ka in a.keys for kb in b.keys
    )
    if key_sim > best:
        best, how = key_sim, "transliteration"
    for x, y in ((a.text, b.text), (b.text, a.text)):
        if x.startswith(("al", "el")) and len(x) > 5 and x[2:] == y:
            return ARTICLE_DISCOUNT, "article"
    return best, how


def _rescale(sim: float) -> float:
    return max(0.0, (sim - PART_FLOOR) / (1.0 - PART_FLOOR))


@dataclass
class _NameScore:
    score: float
    lines: list[str]


class _PairCache:
    """Part-pair similarities, shared across screenings (bounded)."""

    def __init__(self, size: int = 500_000) -> None:
        self.data: dict[tuple[str, str], tuple[float, str]] = {}
        self._size = size

    def get(self, a: _Part, b: _Part) -> tuple[float, str]:
        key = (a.sig, b.sig)
        found = self.data.get(key)
        if found is None:
            sim, how = _raw_similarity(a, b)
            found = (_rescale(sim), how)
            if len(self.data) >= self._size:
                self.data.clear()
            self.data[key] = found
        return found


def _joined_similarity(a: Sequence[_Part], b: Sequence[_Part], beat: float) -> float:
    """Whole names compared as one string: for names that split or join parts differently.

    Returns 0 when the result could not exceed ``beat`` (judged from the lengths alone).
    """
    # The similarity a joined comparison needs to reach ``beat`` after its discount and slope.
    needed = 1.0 - (1.0 - beat / JOINED_DISCOUNT) / JOINED_SLOPE
    abjad = any(p.abjad for p in a) or any(p.abjad for p in b)
    if not abjad:
        len_a, len_b = sum(len(p.text) for p in a), sum(len(p.text) for p in b)
        if min(len_a, len_b) < (needed - 0.1) * max(len_a, len_b):  # keys may differ by ~10%
            return 0.0
    if abjad:
        join_a, join_b = "".join(p.skeleton for p in a), "".join(p.skeleton for p in b)
        pairs = [(join_a, join_b), ("".join(p.skeleton for p in reversed(a)), join_b)]
        needed /= SKELETON_DISCOUNT
    else:
        text_a, text_b = "".join(p.text for p in a), "".join(p.text for p in b)
        keys_b = _spelling_keys(text_b)
        pairs = []
        for ja in (text_a, "".join(p.text for p in reversed(a))):
            pairs += [(ka, kb) for ka in _spelling_keys(ja) for kb in keys_b]
    if needed > 1.0:
        return 0.0
    sim = 0.0
    for x, y in pairs:
        if min(len(x), len(y)) < needed * max(len(x), len(y)):
            continue
        sim = max(sim, OSA.normalized_similarity(x, y, score_cutoff=needed))
    if abjad:
        sim *= SKELETON_DISCOUNT
    return max(0.0, 1.0 - JOINED_SLOPE * (1.0 - sim)) * JOINED_DISCOUNT


def _role(part: _Part) -> str:
    if part.weak:
        return "particle "
    if part.initial:
        return "initial "
    if part.weight == FAMILY_WEIGHT:
        return "family name "
    return ""


# One pairing of a part of each name: similarity, the two parts' weights, their positions, how.
_Pair = tuple[float, float, int, int, str]


def _compare_names(
    a: Sequence[_Part],
    b: Sequence[_Part],
    cache: _PairCache,
    *,
    explain: bool,
    floor: float = 0.0,
    rows: dict[_Part, _Row] | None = None,
) -> _NameScore:
    """Score the nominee's name ``a`` against the listed name ``b``, 0..1. A score below
    ``floor`` (one that would not count) may come out lower than it is: the whole-name
    comparison is then cut short."""
    if not a or not b:
        return _NameScore(0.0, [])
    matched, used_a, used_b = _pick_pairs(
        _candidate_pairs(a, b, cache, {} if rows is None else rows)
    )
    numerator = denominator = 0.0
    for sim, weight, _, _, _ in matched:
        numerator += sim * weight
        denominator += weight
    left_a = [p for i, p in enumerate(a) if i not in used_a]
    left_b = [p for j, p in enumerate(b) if j not in used_b]
    # Unmatched main parts on both sides conflict (different names) and count fully; a part
    # unmatched on one side only is missing there (a middle name left out) and counts less.
    conflict_a = any(not p.weak for p in left_b)
    conflict_b = any(not p.weak for p in left_a)
    denominator = _with_unmatched(denominator, left_a, conflict=conflict_a)
    denominator = _with_unmatched(denominator, left_b, conflict=conflict_b)
    score = numerator / denominator if denominator else 0.0
    lines = (
        _explain_parts(a, b, matched, (left_a, left_b), conflicts=(conflict_a, conflict_b))
        if explain
        else []
    )
    if left_a or left_b:
        strong_a = len(a) - sum(1 for p in a if p.weak)
        strong_b = len(b) - sum(1 for p in b if p.weak)
    else:
        strong_a = strong_b = len(matched)
    shaped = _shape_adjusted(a, b, score, (strong_a, strong_b), lines, explain, floor)
    return _NameScore(shaped, lines)


# The parts of ``a`` that pair with one part of another name: similarity, weight, position, how.
_Row = list[tuple[float, float, int, str]]


def _candidate_pairs(
    a: Sequence[_Part], b: Sequence[_Part], cache: _PairCache, rows: dict[_Part, _Row]
) -> list[_Pair]:
    """Every pairing of a part of ``a`` with one of ``b`` that scores above nothing, best first.
    Particles pair with particles only. ``rows`` keeps, for ``a``, each part of ``b`` already
    met: a nominee's name meets the same listed parts (Mohammed, al-Harbi) in many names."""
    pairs = []
    for j, pb in enumerate(b):
        row = rows.get(pb)
        if row is None:
            row = rows[pb] = _part_row(a, pb, cache)
        weight_b = pb.weight
        for sim, weight_a, i, how in row:
            pairs.append((sim, weight_a + weight_b, i, j, how))
    pairs.sort(reverse=True)
    return pairs


def _part_row(a: Sequence[_Part], pb: _Part, cache: _PairCache) -> _Row:
    data, get, sig_b, weak_b = cache.data, cache.get, pb.sig, pb.weak
    row = []
    for i, pa in enumerate(a):
        if pa.weak != weak_b:
            continue
        found = data.get((pa.sig, sig_b)) or get(pa, pb)
        if found[0] > 0.0:
            row.append((found[0], pa.weight, i, found[1]))
    return row


def _pick_pairs(pairs: list[_Pair]) -> tuple[list[_Pair], set[int], set[int]]:
    """Best pairs first, each part in one pair at most: names have few parts, and a clear best
    pair is almost always right. Returns the pairs kept and the positions they use in each
    name."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched = []
    for pair in pairs:
        i, j = pair[2], pair[3]
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        matched.append(pair)
    return matched, used_a, used_b


def _with_unmatched(denominator: float, left: list[_Part], *, conflict: bool) -> float:
    """The score's denominator with the parts of one name left unmatched counted in."""
    for p in left:
        denominator += p.weight * (1.0 if conflict else MISSING_PART_COST)
    return denominator


def _explain_parts(
    a: Sequence[_Part],
    b: Sequence[_Part],
    matched: list[_Pair],
    left: tuple[list[_Part], list[_Part]],
    *,
    conflicts: tuple[bool, bool],
) -> list[str]:
    """The explanation's lines for the parts: each pair, then each part of either name left
    unmatched (``left``), which conflicts with the other name or is only missing there."""
    lines = []
    for _, _, i, j, how in sorted(matched, key=lambda m: m[2]):
        raw, _ = _raw_similarity(a[i], b[j])
        lines.append(f"{_role(b[j])}'{a[i].text}' ~ '{b[j].text}': {raw:.2f} ({how})")
    (left_a, left_b), (conflict_a, conflict_b) = left, conflicts
    for p in left_a:
        if conflict_a and not p.weak:
            lines.append(f"nominee's {_role(p)}'{p.text}' matches no part of the listed name")
        else:
            lines.append(f"nominee's {_role(p)}'{p.text}' is not in the listed name")
    for p in left_b:
        if conflict_b and not p.weak:
            lines.append(f"listed {_role(p)}'{p.text}' matches no part of the nominee's name")
        else:
            lines.append(f"listed {_role(p)}'{p.text}' is missing from the nominee's name")
    return lines


def _shape_adjusted(
    a: Sequence[_Part],
    b: Sequence[_Part],
    score: float,
    strong: tuple[int, int],
    lines: list[str],
    explain: bool,
    floor: float = 0.0,
) -> float:
    """The score once the names' shapes are allowed for: parts split or joined differently are
    compared as whole strings; a single-part name against a longer one counts less. ``strong``:
    how many main parts each name has. Explanations are added to ``lines``."""
    strong_a, strong_b = strong
    if (strong_a != strong_b or len(a) != len(b)) and score < JOINED_DISCOUNT:
        joined = _joined_similarity(a, b, max(score, floor))
        if joined > score:
            score = joined
            if explain:
                lines.append(
                    f"parts split differently: whole names compared as one string: {joined:.2f}"
                )
    if min(strong_a, strong_b) == 1 and max(strong_a, strong_b) > 1:
        score *= SINGLE_PART_FACTOR
        if explain:
            lines.append(f"one side has a single name part: score x {SINGLE_PART_FACTOR}")
    return score


def _year_gap(year: int, ranges: tuple[tuple[int, int], ...]) -> int:
    """Years between ``year`` and the nearest listed range (0 inside one)."""
    return min(max(lo - year, year - hi, 0) for lo, hi in ranges)


def _adjust(
    score: float, nominee: NomineeFacts, entry: EntryFacts, lines: list[str] | None
) -> float:
    """The score after the birth year and nationality, where both sides have them; each
    adjustment is explained in ``lines`` when given."""
    if nominee.birth_year is not None and entry.birth_years:
        year = nominee.birth_year
        gap = _year_gap(year, entry.birth_years)
        listed = ", ".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in entry.birth_years)
        if gap == 0:
            score += BIRTH_YEAR_MATCH_BONUS
            note = f"birth year {year} within listed {listed}: +{BIRTH_YEAR_MATCH_BONUS:.2f}"
        elif gap == 1:
            score -= BIRTH_YEAR_NEAR_PENALTY
            note = (
                f"birth year {year} one year outside listed {listed}: "
                f"-{BIRTH_YEAR_NEAR_PENALTY:.2f}"
            )
        else:
            score -= BIRTH_YEAR_FAR_PENALTY
            note = (
                f"birth year {year} is {gap} years outside listed {listed}: "
                f"-{BIRTH_YEAR_FAR_PENALTY:.2f}"
            )
        if lines is not None:
            lines.append(note)
    if nominee.nationality and entry.nationalities:
        mine = nominee.nationality.strip().upper()
        listed_nat = {n.strip().upper() for n in entry.nationalities}
        shown = ", ".join(sorted(listed_nat))
        if mine in listed_nat:
            score += NATIONALITY_MATCH_BONUS
            note = f"nationality {mine} is listed ({shown}): +{NATIONALITY_MATCH_BONUS:.2f}"
        else:
            score -= NATIONALITY_MISMATCH_PENALTY
            note = (
                f"nationality {mine} differs from listed {shown}: "
                f"-{NATIONALITY_MISMATCH_PENALTY:.2f}"
            )
        if lines is not None:
            lines.append(note)
    return min(1.0, max(0.0, score))


# --- The index and the matcher -----------------------------------------------------------------


def _deletions(text: str) -> list[str]:
    if len(text) < 4:
        return []
    return [text[:i] + text[i + 1 :] for i in range(len(text))]


def _optimistic_scores(
    found: np.ndarray, weight: np.ndarray, strong_diff: np.ndarray, weak_weight: np.ndarray
) -> np.ndarray:
    """Upper bounds of the part scores of names (arrays, one element per name).

    A name's part score is S = N / D: N sums similarity x (weights of both parts) over the
    matched pairs; D sums the weights of the matched pairs and of each unmatched part, an
    unmatched part counting fully when the other name has an unmatched main part too, and
    MISSING_PART_COST (p) of its weight when it is only missing there. Retrieval gives ``found``
    >= N (each nominee part's best similarity with any part of the name, plus what particles and
    initials could add). With W the weight of both names:
    - D >= p W + (1 - p) N, since every part counts at least p and matched ones fully;
    - D >= W - (1 - p) X, where X is the weight of parts that may count only p: particles, and
      at most ``strong_diff`` main parts of the longer name (when both names have unmatched
      main parts, they conflict and count fully).
    """
    p = MISSING_PART_COST
    cheap = strong_diff * FAMILY_WEIGHT + weak_weight
    denominator = np.maximum(weight - (1.0 - p) * cheap, p * weight + (1.0 - p) * found)
    return found / np.maximum(denominator, 1e-9)


@lru_cache(maxsize=100_000)
def _retrieval_parts(parts: tuple[_Part, ...]) -> tuple[_Part, ...]:
    """The parts a name is found by: its name parts, and runs of two or three adjacent parts
    written as one (Jean Pierre / Jeanpierre, van der Berg / Vanderberg)."""
    found = [p for p in parts if not p.weak and not p.initial]
    if 2 <= len(parts) <= 6:
        for size in (2, 3):
            for start in range(len(parts) - size + 1):
                run = parts[start : start + size]
                if any(p.initial for p in run) or run[-1].weak:
                    continue
                found.append(_joined_part(run))
    return tuple(found)


@lru_cache(maxsize=200_000)
def _joined_part(run: tuple[_Part, ...]) -> _Part:
    text = "".join(p.text for p in run)
    abjad = any(p.abjad for p in run)
    keys: tuple[str, ...] = ()
    if not abjad:
        # Keys joined part by part: close enough to the keys of the whole for retrieval.
        derived = [_derived_keys(p.keys, p.text) for p in run]
        keys = tuple(
            dict.fromkeys(
                [
                    _join_skeletons(*(d[0] for d in derived)),
                    _join_skeletons(*(d[-1] for d in derived)),
                    text,
                ]
            )
        )
    return _Part(
        text=text,
        keys=keys,
        skeleton=_join_skeletons(*(p.skeleton for p in run)),
        abjad=abjad,
        initial=False,
        weak=False,
        weight=sum(p.weight for p in run),
        sig=f"{text}|{int(abjad)}0+",
        joined=True,
    )


def _unretrieved_credit(parts: tuple[_Part, ...]) -> float:
    """What a name's particles and initials can add to N: they are not in the index."""
    credit = 0.0
    for part in parts:
        if part.weak:
            credit += part.weight + WEAK_PART_WEIGHT
        elif part.initial:
            credit += _rescale(INITIAL_SIMILARITY) * (part.weight + FAMILY_WEIGHT)
    return credit


class Matcher:
    """Screens nominees against a fixed set of entries; build once per list version.

    Safe to share between threads: screening only reads the index (the similarity caches are
    plain dicts whose single operations are atomic).
    """

    def __init__(self, entries: Iterable[EntryFacts], *, threshold: float = 0.70) -> None:
        self.threshold = threshold
        self._entries: list[EntryFacts] = []
        self._name_entry: list[int] = []  # name index -> entry position
        self._name_ref: list[EntryName] = []
        self._name_parts: list[tuple[_Part, ...]] = []
        self._cache = _PairCache()
        self._lookup_cache: dict[str, list[tuple[int, float]]] = {}
        self._hits_cache: dict[tuple[str, float], tuple[np.ndarray, np.ndarray] | None] = {}
        self._hits_held = 0
        vocab: dict[str, int] = {}
        self._vocab_parts: list[_Part] = []
        post_vocab: list[int] = []
        post_name: list[int] = []
        post_weight: list[float] = []
        name_weight: list[float] = []
        for entry in entries:
            position = len(self._entries)
            self._entries.append(entry)
            for name in entry.names:
                parts = _parse(name.text)
                if not parts:
                    continue
                name_index = len(self._name_parts)
                self._name_entry.append(position)
                self._name_ref.append(name)
                self._name_parts.append(parts)
                name_weight.append(sum(p.weight for p in parts))
                for part in _retrieval_parts(parts):
                    vid = vocab.get(part.sig)
                    if vid is None:
                        vid = vocab[part.sig] = len(self._vocab_parts)
                        self._vocab_parts.append(part)
                    post_vocab.append(vid)
                    post_name.append(name_index)
                    post_weight.append(part.weight)
        self._name_weight = np.array(name_weight, dtype=np.float64)
        self._name_strong = np.array(
            [sum(1 for p in parts if not p.weak) for parts in self._name_parts], dtype=np.int64
        )
        self._name_weak_weight = np.array(
            [sum(p.weight for p in parts if p.weak) for parts in self._name_parts],
            dtype=np.float64,
        )
        self._name_factor = np.array(
            [WEAK_ALIAS_FACTOR if name.weak else 1.0 for name in self._name_ref], dtype=np.float64
        )
        self._name_credit = np.array(
            [_unretrieved_credit(parts) for parts in self._name_parts], dtype=np.float64
        )
        self._name_position = np.array(self._name_entry, dtype=np.int64)
        self._index_secondary_facts()
        # Postings sorted by indexed part, one per (part, name): a name holding a part twice
        # (Mohammed Mohammed) keeps its heavier weight, as one nominee part pairs once.
        vocab_ids = np.array(post_vocab, dtype=np.int64)
        names = np.array(post_name, dtype=np.int64)
        weights = np.array(post_weight, dtype=np.float64)
        order = np.lexsort((-weights, names, vocab_ids))
        vocab_ids, names, weights = vocab_ids[order], names[order], weights[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (vocab_ids[1:] != vocab_ids[:-1]) | (names[1:] != names[:-1])
        self._post_name, self._post_weight = names[first], weights[first]
        self._post_start = np.searchsorted(
            vocab_ids[first], np.arange(len(self._vocab_parts) + 1)
        ).tolist()
        self._vocab_joined = [part.joined for part in self._vocab_parts]
        # Latin parts are found by their spelling keys and the keys' one-letter deletions (two
        # strings one edit apart share a deletion); parts written without vowels by consonant
        # skeletons. Joined runs are found by exact keys only.
        self._key_index: dict[str, list[int]] = {}
        self._skeleton_index: dict[str, list[int]] = {}
        self._abjad_index: dict[str, list[int]] = {}
        for vid, part in enumerate(self._vocab_parts):
            skeletons = {part.skeleton}
            if not part.abjad:
                keys = set(part.keys)
                if not part.joined:
                    for key in _derived_keys(part.keys, part.text):
                        keys.update(_deletions(key))
                for key in keys:
                    self._key_index.setdefault(key, []).append(vid)
            if not part.joined:
                skeletons.update(_deletions(part.skeleton))
            for key in skeletons:
                self._skeleton_index.setdefault(key, []).append(vid)
                if part.abjad:
                    self._abjad_index.setdefault(key, []).append(vid)

    def _index_secondary_facts(self) -> None:
        """Entries' birth-year ranges (padded with their first) and nationalities as arrays, so
        that retrieval knows each entry's adjustment for a nominee before scoring names."""
        widest = max((len(e.birth_years) for e in self._entries), default=0) or 1
        low = np.zeros((len(self._entries), widest), dtype=np.int64)
        high = np.zeros_like(low)
        self._has_years = np.zeros(len(self._entries), dtype=bool)
        self._has_nationality = np.zeros(len(self._entries), dtype=bool)
        listing: dict[str, list[int]] = {}
        for position, entry in enumerate(self._entries):
            if entry.birth_years:
                self._has_years[position] = True
                ranges = list(entry.birth_years)
                ranges += [ranges[0]] * (widest - len(ranges))
                low[position], high[position] = zip(*ranges, strict=True)
            if entry.nationalities:
                self._has_nationality[position] = True
                for code in {n.strip().upper() for n in entry.nationalities}:
                    listing.setdefault(code, []).append(position)
        self._year_low, self._year_high = low, high
        self._nationality_listing: dict[str, np.ndarray] = {}
        for code, positions in listing.items():
            listed = self._nationality_listing[code] = np.zeros(len(self._entries), dtype=bool)
            listed[positions] = True

    def _adjustments(self, nominee: NomineeFacts, positions: np.ndarray) -> np.ndarray:
        """What ``_adjust`` adds to a name score for each entry at ``positions``: the birth-year
        and nationality adjustments, before clamping."""
        change = np.zeros(len(positions), dtype=np.float64)
        if nominee.birth_year is not None:
            year = nominee.birth_year
            gap = np.maximum(
                np.maximum(self._year_low[positions] - year, year - self._year_high[positions]),
                0,
            ).min(axis=1)
            by_gap = np.where(
                gap == 0,
                BIRTH_YEAR_MATCH_BONUS,
                np.where(gap == 1, -BIRTH_YEAR_NEAR_PENALTY, -BIRTH_YEAR_FAR_PENALTY),
            )
            change += np.where(self._has_years[positions], by_gap, 0.0)
        if nominee.nationality:
            listed = self._nationality_listing.get(nominee.nationality.strip().upper())
            same = listed[positions] if listed is not None else np.zeros(len(positions), bool)
            by_listing = np.where(same, NATIONALITY_MATCH_BONUS, -NATIONALITY_MISMATCH_PENALTY)
            change += np.where(self._has_nationality[positions], by_listing, 0.0)
        return change

    # Candidate retrieval -------------------------------------------------------------------

    def _similar_vocab(self, part: _Part) -> list[tuple[int, float]]:
        """Indexed parts similar to ``part``, with their rescaled similarity."""
        found = self._lookup_cache.get(part.sig)
        if found is not None:
            return found
        vids: set[int] = set()
        skeletons = [part.skeleton, *_deletions(part.skeleton)]
        if part.abjad:
            for key in skeletons:
                vids.update(self._skeleton_index.get(key, ()))
        else:
            probes = set(part.keys)
            for key in _derived_keys(part.keys, part.text):
                probes.update(_deletions(key))
            if part.text.startswith(("al", "el")) and len(part.text) > 5:
                probes.update(_spelling_keys(part.text[2:]))
            for key in probes:
                vids.update(self._key_index.get(key, ()))
            for key in skeletons:
                vids.update(self._abjad_index.get(key, ()))
        found = []
        for vid in vids:
            if part.joined and self._vocab_joined[vid]:
                continue  # a run against a run would count the same parts twice
            sim, _ = self._cache.get(part, self._vocab_parts[vid])
            if sim > 0.0:
                found.append((vid, sim))
        if len(self._lookup_cache) >= 200_000:
            self._lookup_cache.clear()
        self._lookup_cache[part.sig] = found
        return found

    def _part_hits(self, part: _Part) -> tuple[np.ndarray, np.ndarray] | None:
        """The names an indexed part similar to ``part`` reaches, each once, with what ``part``
        can add to their optimistic score there: its best similarity x (both weights)."""
        key = (part.sig, part.weight)
        found = self._hits_cache.get(key)
        if found is not None or key in self._hits_cache:
            return found
        hits = self._similar_vocab(part)
        post_start, post_name, post_weight = self._post_start, self._post_name, self._post_weight
        if not hits:
            found = None
        elif len(hits) == 1:
            vid, sim = hits[0]
            lo, hi = post_start[vid], post_start[vid + 1]
            found = post_name[lo:hi], sim * (part.weight + post_weight[lo:hi])
        else:
            idx = np.concatenate([post_name[post_start[v] : post_start[v + 1]] for v, _ in hits])
            val = np.concatenate(
                [
                    sim * (part.weight + post_weight[post_start[v] : post_start[v + 1]])
                    for v, sim in hits
                ]
            )
            # One nominee part counts once per name: keep its best hit there.
            order = np.lexsort((-val, idx))
            idx, val = idx[order], val[order]
            first = np.empty(len(idx), dtype=bool)
            first[0] = True
            np.not_equal(idx[1:], idx[:-1], out=first[1:])
            found = idx[first], val[first]
        # Bounded by the names held (16 bytes each): a common part reaches thousands.
        if self._hits_held >= HITS_CACHE_NAMES:
            self._hits_cache.clear()
            self._hits_held = 0
        self._hits_cache[key] = found
        self._hits_held += 0 if found is None else len(found[0])
        return found

    def _candidates(
        self, parts: tuple[_Part, ...], target: float, nominee: NomineeFacts
    ) -> tuple[list[int], list[float]]:
        """Names whose optimistic score against ``parts`` could reach ``target`` (the threshold
        less the most the nominee's secondary facts could add) and whose entry's adjustment
        leaves them a chance, in the order of the index (of the entries and their names); and
        for each, what its entry's birth years and nationalities add to its score."""
        idx_list = []
        val_list = []
        for part in _retrieval_parts(parts):
            hits = self._part_hits(part)
            if hits is not None:
                idx_list.append(hits[0])
                val_list.append(hits[1])
        if not idx_list:
            return [], []
        idx = np.concatenate(idx_list)
        val = np.concatenate(val_list)
        # Each part's names come sorted: a stable sort merges these runs (timsort), and keeps
        # each name's values in part order, so their sum is the same to the last bit.
        order = np.argsort(idx, kind="stable")
        idx, val = idx[order], val[order]
        starts = np.flatnonzero(np.concatenate(([True], idx[1:] != idx[:-1])))
        names = idx[starts]
        found = np.add.reduceat(val, starts) + self._name_credit[names]
        found += _unretrieved_credit(parts)
        strong = self._name_strong[names]
        mine = sum(1 for p in parts if not p.weak)
        optimistic = _optimistic_scores(
            found,
            sum(p.weight for p in parts) + self._name_weight[names],
            np.abs(strong - mine),
            sum(p.weight for p in parts if p.weak) + self._name_weak_weight[names],
        )
        # The factors that can only lower a name's score raise the bar it must clear here.
        factor = self._name_factor[names]
        single = (strong == 1) & (mine > 1) if mine > 1 else strong > 1
        factor = np.where(single, factor * SINGLE_PART_FACTOR, factor)
        keep = optimistic >= target / factor
        names, optimistic = names[keep], optimistic[keep]
        if len(names) > MAX_CANDIDATES:
            top = np.sort(np.argpartition(-optimistic, MAX_CANDIDATES)[:MAX_CANDIDATES])
            names = names[top]
        # A name score is at most 1 (x 0.85 for a weak alias); with its entry's own adjustment
        # (a birth year two years off: -0.35) many a name cannot reach the threshold, or
        # what rounds up to it, whatever its parts. (``optimistic`` is no upper bound: full
        # scoring credits part pairs that retrieval does not find.)
        change = self._adjustments(nominee, self._name_position[names])
        keep = self._name_factor[names] + change >= self.threshold - _ROUNDING - 1e-9
        return names[keep].tolist(), change[keep].tolist()

    # Screening --------------------------------------------------------------------------------

    def screen(self, nominee: NomineeFacts, *, limit: int = 20) -> list[MatchResult]:
        """Possible matches at or above the threshold, best first, one per entry."""
        best: dict[int, tuple[float, str, int]] = {}
        seen: set[str] = set()
        # Secondary facts can lift a name score by at most this much.
        bonus = (BIRTH_YEAR_MATCH_BONUS if nominee.birth_year is not None else 0.0) + (
            NATIONALITY_MATCH_BONUS if nominee.nationality else 0.0
        )
        for nominee_name in nominee.names:
            if not nominee_name or nominee_name in seen:
                continue
            seen.add(nominee_name)
            parts = _parse(nominee_name)
            if not parts:
                continue
            names, changes = self._candidates(parts, self.threshold - bonus, nominee)
            rows: dict[_Part, _Row] = {}
            for name_index, change in zip(names, changes, strict=True):
                # The lowest score that, with its entry's adjustment, still rounds up to the
                # threshold (less a hair for the order of the floating-point additions).
                needed = self.threshold - _ROUNDING - change - 1e-9
                weak = self._name_ref[name_index].weak
                floor = needed / WEAK_ALIAS_FACTOR if weak else needed
                scored = _compare_names(parts, self._name_parts[name_index], self._cache,
                                        explain=False, floor=floor, rows=rows)  # fmt: skip
                score = scored.score
                if weak:
                    score *= WEAK_ALIAS_FACTOR
                if score < needed:
                    continue
                position = self._name_entry[name_index]
                current = best.get(position)
                if current is not None and score + bonus <= current[0]:
                    continue
                score = _adjust(score, nominee, self._entries[position], None)
                if current is None or score > current[0]:
                    best[position] = (score, nominee_name, name_index)
        ranked = sorted(
            ((round(s, 3), pos, nn, ni) for pos, (s, nn, ni) in best.items() if s > 0.0),
            key=lambda r: (-r[0], self._entries[r[1]].entry_id),
        )
        results = []
        for score, position, nominee_name, name_index in ranked:
            if score < self.threshold or len(results) >= limit:
                break
            results.append(self._result(nominee, nominee_name, position, name_index, score))
        return results

    def screen_many(
        self, nominees: Sequence[NomineeFacts], *, processes: int | None = 1
    ) -> list[list[MatchResult]]:
        """``screen`` for each nominee, in order.

        ``processes`` > 1 (None: one per CPU this process may use) screens a large batch in
        that many forked processes, which share the built index copy-on-write. It falls back to
        this process alone where forking is unsafe or would not pay (``usable_processes``).
        """
        nominees = list(nominees)
        count = usable_processes(processes, len(nominees))
        if count > 1:
            try:
                return self._screen_forked(nominees, count)
            except BrokenProcessPool:  # a process was killed (memory?): finish here
                logger.warning("screening processes died; screening in one process")
        return [self.screen(nominee) for nominee in nominees]

    def _screen_forked(self, nominees: list[NomineeFacts], count: int) -> list[list[MatchResult]]:
        """Screen in ``count`` forked processes, a few chunks each (names differ in cost)."""
        global _forked  # read by the forked processes, which inherit it
        size = -(-len(nominees) // (count * CHUNKS_PER_PROCESS))
        chunks = [
            (start, min(start + size, len(nominees))) for start in range(0, len(nominees), size)
        ]
        _forked = (self, nominees)
        # Objects that exist now are left out of the children's garbage collections, which
        # would otherwise write to (and so copy) every page of the index.
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
                found = list(pool.map(_screen_chunk, chunks))
        finally:
            gc.unfreeze()
            _forked = None
        return [results for chunk in found for results in chunk]

    def _result(
        self, nominee: NomineeFacts, nominee_name: str, position: int, name_index: int, score
    ) -> MatchResult:
        entry = self._entries[position]
        ref = self._name_ref[name_index]
        scored = _compare_names(
            _parse(nominee_name), self._name_parts[name_index], self._cache, explain=True
        )
        if ref.original_script:
            kind = "original-script name"
        elif ref is entry.names[0]:
            kind = "name"
        else:
            kind = "weak alias" if ref.weak else "alias"
        lines = [f"'{nominee_name}' compared with the listed {kind} '{ref.text}'"]
        lines += scored.lines
        name_score = scored.score
        lines.append(f"name similarity {name_score:.3f}")
        if ref.weak:
            name_score *= WEAK_ALIAS_FACTOR
            lines.append(f"weak (low-quality) alias: score x {WEAK_ALIAS_FACTOR}")
        _adjust(name_score, nominee, entry, lines)
        lines.append(f"score {score:.3f}")
        return MatchResult(
            entry_id=entry.entry_id,
            score=score,
            nominee_name=nominee_name,
            matched_name=ref.text,
            explanation=tuple(lines),
        )


#: A forked screening's matcher and nominees, set in the parent just before forking.
_forked: tuple[Matcher, list[NomineeFacts]] | None = None
#: Fewer nominees than this per process: starting processes (a few ms each) would not pay.
MIN_NOMINEES_PER_PROCESS = 100
#: Chunks per process, handed out as processes finish, so that one slow chunk does not leave
#: the other processes idle at the end.
CHUNKS_PER_PROCESS = 4


def _screen_chunk(bounds: tuple[int, int]) -> list[list[MatchResult]]:
    assert _forked is not None  # set before the fork
    matcher, nominees = _forked
    return [matcher.screen(nominee) for nominee in nominees[bounds[0] : bounds[1]]]


def _in_daemon_process() -> bool:
    """Inside a process pool's worker (multiprocessing's, or billiard's in a Celery prefork
    worker): such a process must not start processes of its own."""
    if multiprocessing.current_process().daemon:
        return True
    billiard = sys.modules.get("billiard.process")
    return bool(billiard is not None and billiard.current_process().daemon)


def usable_processes(requested: int | None, nominees: int) -> int:
    """How many processes ``Matcher.screen_many`` uses for ``nominees``: ``requested`` (None:
    the CPUs this process may run on), fewer for a small batch, and 1 where forking is unsafe:
    no fork on this system, inside a pool's worker process (a Celery prefork worker already
    uses every core, one task each), or with other threads running (a fork copies their locks
    in whatever state they are)."""
    if requested is None:
        requested = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    count = min(requested, nominees // MIN_NOMINEES_PER_PROCESS)
    if count <= 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if _in_daemon_process() or threading.active_count() > 1:
        return 1
    return count
