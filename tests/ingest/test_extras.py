"""Optional libraries missing: the file that needs one fails naming its extra, the rest ingests,
and the core imports without any extra at all."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingest.errors import ConfigurationError
from ingest.extras import needs_extra
from ingest.loaders import load_file
from tests.ingest.files import write_docx, write_pdf, write_text

REPO = Path(__file__).resolve().parents[2]

#: Top-level modules of the runtime extras (pyproject.toml), as Python imports them.
EXTRA_MODULES = {
    "api": ["fastapi", "starlette", "sse_starlette", "multipart", "python_multipart", "mcp"],
    "eval": ["ranx", "matplotlib"],
    "pdf": ["pypdf"],
    "docx": ["docx"],
    "html": ["trafilatura"],
}


def test_needs_extra_names_the_extra_and_how_to_install_it() -> None:
    with pytest.raises(ConfigurationError) as info, needs_extra("pdf", "reading PDF files"):
        import complyqa_no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert str(info.value).startswith("reading PDF files needs the pdf extra: ")
    assert "pip install 'complyqa[pdf]'" in str(info.value)
    assert isinstance(info.value.__cause__, ImportError)


@pytest.mark.parametrize(
    ("name", "module", "extra"),
    [
        ("rule.pdf", "pypdf", "pdf"),
        ("manual.docx", "docx", "docx"),
        ("page.html", "trafilatura", "html"),
    ],
)
def test_a_format_without_its_extra_says_which_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, module: str, extra: str
) -> None:
    path = tmp_path / name
    if extra == "pdf":
        write_pdf(path, ["Page one says export."])
    elif extra == "docx":
        write_docx(path, ["Article 1 Staff keep records."])
    else:
        write_text(path, "<html><body><p>Exports need a licence.</p></body></html>")
    monkeypatch.setitem(sys.modules, module, None)  # `import` of it now fails
    with pytest.raises(ConfigurationError) as info:
        load_file(path, tmp_path)
    assert str(info.value).startswith(f"{path}: ")
    assert f"needs the {extra} extra" in str(info.value)
    assert f"pip install 'complyqa[{extra}]'" in str(info.value)


def test_ingest_reports_the_file_whose_extra_is_missing_and_indexes_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_fake_qa
) -> None:
    corpus = tmp_path / "corpus"
    write_text(corpus / "notes.md", "# Notes\n\nArticle 1 Logs are kept for six months.\n")
    write_pdf(corpus / "rule.pdf", ["Article 2 Exporters need a licence."])
    monkeypatch.setitem(sys.modules, "pypdf", None)
    report = make_fake_qa().ingest([corpus])
    assert report.added == ["notes.md"]
    assert [Path(f.path).name for f in report.failed] == ["rule.pdf"]
    assert "pip install 'complyqa[pdf]'" in report.failed[0].reason


def test_the_core_imports_and_registers_its_commands_without_any_extra() -> None:
    """A fresh interpreter where every extra's modules fail to import, as in a core install:
    only the API and MCP modules may need theirs, and every command is still registered."""
    blocked = sorted(m for modules in EXTRA_MODULES.values() for m in modules)
    script = textwrap.dedent(
        f"""
        import importlib, importlib.abc, pkgutil, sys

        class NoExtras(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.split(".")[0] in {blocked!r}:
                    raise ModuleNotFoundError(f"no module named {{name!r}}", name=name)
                return None

        sys.meta_path.insert(0, NoExtras())
        import assistant, evals, ingest
        from assistant.cli.main import app

        needing = []
        for package in (assistant, ingest, evals):
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                try:
                    importlib.import_module(info.name)
                except ImportError:
                    needing.append(info.name)
        print("needing", *needing)
        names = [c.name or c.callback.__name__ for c in app.registered_commands]
        names += [g.name for g in app.registered_groups]
        print("commands", *sorted(names))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"},
        check=True,
    ).stdout.splitlines()
    needing = out[0].split()[1:]
    assert needing and all(m.startswith(("assistant.api", "assistant.mcp.")) for m in needing)
    commands = set(out[1].split()[1:])
    assert {"ingest", "ask", "search", "chat", "sources", "serve", "mcp", "eval"} <= commands
