"""system-packages.txt: the one list of Debian packages. The Makefile, .ci/run and the Dockerfile
install from it and from nowhere else, and everything outside Python that the code and the tests
use (programs, WeasyPrint's libraries, the fonts our PDFs name) comes from a package on it or
from what those packages depend on."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_service

# Checks of the machine (make, dpkg, ldd, fc-match), not of the code: left out of make test-fast,
# which installs no system package.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "system-packages.txt"
SCRIPT = ROOT / "scripts" / "system-packages"
# The shared libraries WeasyPrint opens itself (weasyprint/text/ffi.py), subsetting included.
WEASYPRINT_LIBRARIES = [
    "gobject-2.0",
    "pango-1.0",
    "pangoft2-1.0",
    "harfbuzz",
    "harfbuzz-subset",
    "fontconfig",
]


def parts_of_the_list() -> dict[str, list[str]]:
    """The list read independently of the script: {part: [package, ...]}."""
    parts: dict[str, list[str]] = {}
    current = None
    for line in LIST.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            current = line.strip("[]")
            parts[current] = []
        elif line:
            parts[current].append(line.split()[0])
    return parts


def listed(*parts: str) -> list[str]:
    result = subprocess.run(
        [str(SCRIPT), "list", *parts], capture_output=True, text=True, check=True, timeout=30
    )
    return result.stdout.split()


def test_the_script_reads_every_part_of_the_list():
    parts = parts_of_the_list()
    assert list(parts) == ["run", "test", "bench"]
    assert listed("run") == parts["run"]
    assert listed("test") == parts["test"]
    assert listed("bench") == parts["bench"] == ["wrk"]
    assert listed("run", "test") == parts["run"] + parts["test"]
    assert {"libharfbuzz-subset0", "fonts-noto-core", "fonts-noto-cjk", "gettext"} <= set(
        parts["run"]
    )
    assert {"poppler-utils", "chromium"} <= set(parts["test"])


def test_an_unknown_part_is_refused():
    result = subprocess.run(
        [str(SCRIPT), "list", "run", "tset"], capture_output=True, text=True, timeout=30
    )
    assert (result.returncode, result.stdout, result.stderr) == (2, "", "unknown part: tset\n")


def test_make_ci_and_the_dockerfile_install_from_the_list_and_nothing_else():
    make = shutil.which("make")
    require_service(bool(make), "make is not installed")

    def dry_run(target: str) -> list[str]:
        result = subprocess.run(
            [make, "--dry-run", "--always-make", target],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout.splitlines()

    run = dry_run("run")
    test = dry_run("test")
    assert run.index("scripts/system-packages ensure run") < run.index(
        ".venv/bin/python manage.py seed_demo"
    )
    assert test.index("scripts/system-packages ensure run test") < next(
        number for number, line in enumerate(test) if "-m pytest" in line
    )
    ci = (ROOT / ".ci" / "run").read_text()
    docker = (ROOT / "Dockerfile").read_text()
    assert re.findall(r"^scripts/system-packages .*$", ci, re.MULTILINE) == [
        "scripts/system-packages ensure run test"
    ]
    assert re.findall(r"system-packages ensure \w.*?(?= \\|$)", docker, re.MULTILINE) == [
        "system-packages ensure run"
    ]
    assert "COPY system-packages.txt " in docker
    for text in (ci, docker, (ROOT / "Makefile").read_text()):
        assert "apt-get install" not in text


def installed_packages() -> dict[str, tuple[bool, set[str]]]:
    """Installed package -> (part of every Debian: Essential or Priority required, what it
    depends on)."""
    require_service(bool(shutil.which("dpkg-query")), "not a Debian system (no dpkg-query)")
    rows = subprocess.run(
        [
            "dpkg-query",
            "-W",
            "-f=${db:Status-Abbrev}\\t${Package}\\t${Essential}\\t${Priority}"
            "\\t${Depends}, ${Pre-Depends}\\n",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    packages = {}
    for row in rows:
        status, package, essential, priority, relations = row.split("\t")
        if status.startswith("ii"):
            names = set(re.findall(r"(?:^|[,|])\s*([a-z0-9][a-z0-9+.-]+)", relations))
            packages[package] = (essential == "yes" or priority == "required", names)
    return packages


def dpkg_closure(*, with_base: bool = False) -> set[str]:
    """The installed packages of the list and what they depend on (installed); with_base, also
    those every Debian has (Essential or required, apt) and their dependencies."""
    packages = installed_packages()
    todo = [p for part in parts_of_the_list().values() for p in part if p in packages]
    if with_base:
        todo += [p for p, (base, _) in packages.items() if base] + ["apt"]
    closure: set[str] = set()
    while todo:
        package = todo.pop()
        if package in packages and package not in closure:
            closure.add(package)
            todo.extend(packages[package][1])
    return closure


def package_of(path: str) -> str:
    """The installed package that holds the file, as dpkg recorded it: with or without /usr
    (Debian 12's /lib is /usr/lib), through the symbolic link or at its target."""
    candidates = []
    for form in (Path(path), Path(path).resolve()):
        text = str(form)
        candidates += [
            text,
            text.removeprefix("/usr") if text.startswith("/usr/") else "/usr" + text,
        ]
    for candidate in candidates:
        found = subprocess.run(
            ["dpkg-query", "-S", candidate], capture_output=True, text=True, timeout=60
        )
        lines = [line for line in found.stdout.splitlines() if not line.startswith("diversion")]
        if found.returncode == 0 and lines:
            return lines[0].split(":")[0]
    return ""


def programs_the_code_runs() -> set[str]:
    """Programs looked up with shutil.which, or started with a literal argument list in the
    modules that import subprocess, anywhere in the code or the tests."""
    names: set[str] = set()
    for folder in ("trackii", "dialogues", "participants", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == Path(__file__):
                continue
            text = path.read_text()
            names.update(re.findall(r"which\(\s*\"([\w.+-]+)\"\s*\)", text))
            if "import subprocess" in text:
                names.update(re.findall(r"\(\s*\[\s*\"([a-z][\w.+-]*)\",", text))
    return names


def test_every_program_the_code_and_tests_run_comes_from_the_list():
    closure = dpkg_closure()
    programs = programs_the_code_runs()
    assert {"pdftoppm", "pg_dump", "pg_restore", "chromium"} <= programs
    installed = {name: shutil.which(name) for name in sorted(programs)}
    packages = {name: package_of(path) for name, path in installed.items() if path}
    assert {name: p for name, p in packages.items() if p not in closure} == {}
    missing = sorted(name for name, path in installed.items() if path is None)
    require_service(not missing, f"not installed: {', '.join(missing)} (system-packages.txt)")


def test_the_libraries_of_playwrights_own_node_come_from_the_list_or_every_debian():
    # The browser tests' driver is a Node.js binary inside the playwright wheel: not a Debian
    # package, so nothing installs what it links against (libatomic1) unless the list names it.
    import playwright

    closure = dpkg_closure(with_base=True)
    node = Path(playwright.__file__).parent / "driver" / "node"
    ldd = subprocess.run(["ldd", str(node)], capture_output=True, text=True, timeout=60)
    needed = dict(re.findall(r"^\s*(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$", ldd.stdout, re.MULTILINE))
    assert "libatomic.so.1" in needed
    missing = sorted(name for name, path in needed.items() if path == "not found")
    require_service(not missing, f"not installed: {', '.join(missing)} (system-packages.txt)")
    packages = {name: package_of(path) for name, path in needed.items()}
    assert {name: p for name, p in packages.items() if p not in closure} == {}


def test_weasyprints_libraries_come_from_the_list_subsetting_included():
    closure = dpkg_closure()
    import weasyprint  # noqa: F401 - loads the libraries

    maps = Path("/proc/self/maps").read_text().split()
    loaded = {}
    for name in WEASYPRINT_LIBRARIES:
        pattern = re.compile(rf"/lib{re.escape(name)}\.so[.0-9]*$")
        loaded[name] = sorted({path for path in maps if pattern.search(path)})
    assert sorted(name for name, paths in loaded.items() if len(paths) != 1) == []
    packages = {name: package_of(paths[0]) for name, paths in loaded.items()}
    assert {name: p for name, p in packages.items() if p not in closure} == {}


def test_every_font_the_pdf_stylesheets_name_comes_from_the_list():
    closure = dpkg_closure()
    fc_match = shutil.which("fc-match")
    require_service(bool(fc_match), "fc-match is not installed (fontconfig)")
    families = set()
    for stylesheet in (ROOT / "static" / "css").glob("*pdf*.css"):
        for declaration in re.findall(r"font(?:-family)?\s*:([^;}]+)", stylesheet.read_text()):
            families.update(re.findall(r"\"([^\"]+)\"", declaration))
    assert {"Noto Sans", "Noto Naskh Arabic", "Noto Sans Hebrew", "Noto Sans CJK SC"} <= families
    found = {}
    for family in sorted(families):
        result = subprocess.run(
            [fc_match, "-f", "%{family}\t%{file}", family],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        matched, file = result.stdout.split("\t")
        found[family] = (family in matched.split(","), package_of(file) in closure)
    assert found == dict.fromkeys(families, (True, True))
