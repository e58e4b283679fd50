"""Our own import-linter contract type (pyproject.toml ``[tool.importlinter]``, ``make lint``).

A service queues its tasks, so it imports its ``tasks`` module when it loads; a task runs a
service, so it imports that service inside the task's function, when the task runs. Import-linter
sees both (its graph counts imports inside functions too), so the cycle contract names each such
import as allowed; this contract makes sure that every one of them stays inside a function.
"""

import ast
from importlib.util import find_spec
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.helpers import module_expressions_to_modules

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _source_path(module: str) -> Path:
    root, *rest = module.split(".")
    spec = find_spec(root)  # a top-level name: finding it imports nothing
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"cannot find the package {root}")
    base = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)
    package = base / "__init__.py"
    return package if package.exists() else base.with_suffix(".py")


def _lines_importing_at_load(path: Path) -> set[int]:
    """Lines of the import statements that run when the module loads (not inside a function)."""
    lines: set[int] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _FUNCTIONS):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return lines


class ImportedInFunctionsContract(Contract):
    """``importers`` may import ``imported`` only inside a function (or not at all)."""

    type_name = "imported_in_functions"

    importers = fields.SetField(subfield=fields.ModuleExpressionField())
    imported = fields.SetField(subfield=fields.ModuleExpressionField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        importers = {m.name for m in module_expressions_to_modules(graph, self.importers)}  # type: ignore[arg-type]
        imported = {m.name for m in module_expressions_to_modules(graph, self.imported)}  # type: ignore[arg-type]
        at_load = []
        for importer in sorted(importers):
            targets = sorted(graph.find_modules_directly_imported_by(importer) & imported)
            if not targets:
                continue
            loading = _lines_importing_at_load(_source_path(importer))
            for target in targets:
                for detail in graph.get_import_details(importer=importer, imported=target):
                    if detail["line_number"] in loading:
                        at_load.append(detail)
        return ContractCheck(kept=not at_load, metadata={"at_load": at_load})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for detail in check.metadata["at_load"]:
            output.print_error(
                f"{detail['importer']} (l.{detail['line_number']}) imports {detail['imported']} "
                "when it loads: move the import into the function that uses it."
            )
            output.new_line()
