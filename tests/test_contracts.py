"""The import contracts (pyproject.toml ``[tool.importlinter]``, run by ``make lint``) fail when
they should: each test copies the code to a folder of its own, plants one violation and runs
``lint-imports`` there, and expects exactly the contract it breaks to be named broken."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
COPIED = ("trackii", "dialogues", "participants", "lint")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in COPIED:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(tree: Path) -> tuple[int, str, set[str]]:
    """Exit status, output and the names of the broken contracts."""
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    result = subprocess.run(
        [LINT_IMPORTS, str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,  # lint-imports puts its folder first on sys.path: the copy is what it reads
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = result.stdout + result.stderr
    # "<name> BROKEN" or "<name> BROKEN (2 ignored imports)", one line each
    broken = {line.partition(" BROKEN")[0] for line in out.splitlines() if " BROKEN" in line}
    return result.returncode, out, broken


def plant(tree: Path, module: str, line: str) -> None:
    """Add an import line to a module (created if new)."""
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    if not path.exists():
        path.write_text(f"{line}\n", encoding="utf-8")
        return
    with path.open("a", encoding="utf-8") as source:
        source.write(f"\n{line}  # noqa\n")


def test_contracts_clean_tree_kept(tree):
    status, out, broken = lint_imports(tree)

    assert broken == set(), out
    assert status == 0, out
    assert "0 broken" in out


@pytest.mark.parametrize(
    ("module", "line", "contracts", "named"),
    [
        (
            "participants.profile.planted",
            "from dialogues import selectors",
            {"participants never imports dialogues"},
            "participants.profile.planted -> dialogues.selectors",
        ),
        (
            "trackii.audit.planted",
            "import participants.models",
            {"trackii.audit imports no app"},
            "trackii.audit.planted -> participants.models",
        ),
        (
            "participants.services",
            "import trackii.ops.models",
            {"Operations sit on top: no app imports trackii.ops"},
            "participants.services -> trackii.ops.models",
        ),
        (
            "dialogues.papers.planted",
            "from dialogues.briefing import selectors",
            {"dialogues' features are independent of each other"},
            "dialogues.papers.planted -> dialogues.briefing.selectors",
        ),
        (
            "participants.profile.planted",
            "from participants.invitations import services",
            {"participants' features are independent of each other"},
            "participants.profile.planted -> participants.invitations.services",
        ),
        (
            "dialogues.selectors",
            "from dialogues.planning import selectors as planning_selectors",
            # the core now leads from every feature that uses it to planning, and back
            {
                "dialogues: entry points above features, features above the core",
                "dialogues' features are independent of each other",
                "No import cycles between the modules of a package",
            },
            "dialogues.selectors -> dialogues.planning.selectors",
        ),
        (
            "trackii.ops.planted",
            "from dialogues.briefing import views",
            {"trackii.ops reaches features only through their services and selectors"},
            "trackii.ops.planted -> dialogues.briefing.views",
        ),
        (
            "dialogues.storage",
            "from dialogues import selectors",
            {"No import cycles between the modules of a package"},
            # Which imports lint-imports suggests removing is its heuristic's choice (it named
            # this one until a third models module used the storage); the cycle is the point.
            "No cycles are allowed in dialogues.",
        ),
        (
            "dialogues.briefing.tasks",
            "from .services import copy_render",
            {"A task imports services only inside its function"},
            "dialogues.briefing.tasks (l.",
        ),
    ],
)
def test_contracts_planted_violation_broken(tree, module, line, contracts, named):
    plant(tree, module, line)

    status, out, broken = lint_imports(tree)

    assert broken == contracts, out
    assert status == 1, out
    assert named in out


def test_contracts_feature_package_outside_layers_broken(tree):
    """A new package in an app must be placed in the app's layers before it may be used."""
    (tree / "dialogues" / "minutes").mkdir()
    (tree / "dialogues" / "minutes" / "__init__.py").write_text("", encoding="utf-8")

    status, out, broken = lint_imports(tree)

    assert broken == {"dialogues: entry points above features, features above the core"}, out
    assert status == 1, out
    assert "dialogues.minutes" in out
