"""Report renderings (JSON, Markdown, text, HTML) and the ``pathway report`` command."""

from __future__ import annotations

import builtins
import importlib.util
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import pathway
from pathway import EventLog, Report, analyse
from pathway.cli import main
from pathway.io import read_log, write_log

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "pathways" / "recovery-hub-2017.yaml"


def live_cohort(model: pathway.Pathway, cases: int, seed: int) -> list[pathway.Case]:
    """Live cases from benchmarks/analysis_cohort.py (loaded by path)."""
    spec = importlib.util.spec_from_file_location(
        "analysis_cohort", ROOT / "benchmarks" / "analysis_cohort.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("analysis_cohort", module)
    spec.loader.exec_module(module)
    result: list[pathway.Case] = module.live_cohort(model, cases, seed=seed)
    return result


@pytest.fixture(scope="module")
def hub() -> pathway.Pathway:
    return pathway.load(HUB)


@pytest.fixture(scope="module")
def log(hub: pathway.Pathway) -> EventLog:
    return EventLog.from_cases(live_cohort(hub, 120, seed=5))


@pytest.fixture(scope="module")
def report(log: EventLog, hub: pathway.Pathway) -> Report:
    return analyse(log, hub)


def test_json_has_the_documented_schema(report: Report) -> None:
    document = json.loads(report.to_json())
    assert document["schema"] == "pathway-report/1"
    assert set(document) == {
        "schema",
        "generator",
        "pathway",
        "log",
        "scope",
        "headline",
        "measures",
        "waits_by_cause",
        "fragmentation",
        "steps",
        "transitions",
        "demand",
        "work",
        "appointments",
        "outcomes",
        "repeated_information",
        "control_charts",
        "typical_case",
        "reading",
        "conformance",
        "observed",
        "replications",
        "settings",
        "load",
        "warnings",
        "checkpoint_rounds",
    }
    assert document["replications"] is None  # only report --simulate -r R fills it
    assert document["pathway"]["id"] == "recovery-hub-2017"
    assert document["log"]["cases"] == 120
    e2e = document["measures"]["end_to_end"]
    assert e2e["unit"] == "days"
    assert e2e["p10"] <= e2e["median"] <= e2e["p90"]
    assert document["headline"]["text"].startswith("Fragmentation adds ")
    contributors = document["fragmentation"]["contributors"]
    assert [c["rank"] for c in contributors] == list(range(1, len(contributors) + 1))
    shares = sum(c["share_of_fragmentation"] for c in contributors)
    assert shares == pytest.approx(1.0)
    chart = document["control_charts"][0]
    assert chart["measure"] == "end_to_end"
    assert len(chart["values"]) == chart["points"] == document["scope"]["cases"]
    assert document["repeated_information"]["known"] is True


def test_json_matches_the_report(report: Report) -> None:
    document = report.to_dict()
    median = report.measures["visits"][0].median
    assert document["measures"]["visits"]["median"] == median
    assert document["demand"]["value"] == 120


def test_markdown_has_every_section(report: Report) -> None:
    text = report.to_markdown()
    assert text.startswith("# What fragmentation costs: Portsmouth Recovery Hub")
    for heading in (
        "## Where the delay comes from",
        "## A typical journey",
        "## Is the system stable? Control charts",
        "## Demand, work and appointments",
        "## The journey in numbers",
        "## Steps and transitions",
        "## How journeys end",
        "## Telling the story again",
    ):
        assert heading in text
    assert "| Rank | Where | Days per case |" in text
    assert "|---:|---|---:|---:|---:|" in text


def test_text_with_rich_and_plain(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    rich_text = report.to_text(width=120)
    assert "The journey in numbers" in rich_text
    assert "┃" in rich_text or "│" in rich_text
    real_import = builtins.__import__

    def no_rich(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "rich" or name.startswith("rich."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rich)
    plain = report.to_text(width=120)
    assert "THE JOURNEY IN NUMBERS" in plain
    assert "│" not in plain


def test_html_is_self_contained(report: Report) -> None:
    page = report.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    urls = set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}  # the SVG namespace, not a request
    for css in ("swimlane", "pareto", "xmr xmr-0", "xmr xmr-1"):
        assert f'class="{css}"' in page
    assert "<abbr title=" in page
    assert "Days since first contact" in page
    assert "Days per case" in page
    assert "Case number, in order of first contact" in page


def test_report_with_no_finished_case_renders(hub: pathway.Pathway) -> None:
    facts = {"needs_prescribing": True, "needs_external_referral": False}
    case = hub.new_case("open", facts, at=datetime(2018, 9, 4, 10, tzinfo=UTC))
    report = analyse([case], hub)
    for rendering in (report.to_json(), report.to_markdown(), report.to_text(), report.to_html()):
        assert rendering


def run(*argv: str) -> int:
    return main(["report", *argv])


def test_cli_report_formats(
    log: EventLog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.parquet"
    write_log(log, events)
    assert run(str(HUB), "--events", str(events), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["log"]["events"] == len(log)
    out, page = tmp_path / "report.md", tmp_path / "page.html"
    code = run(
        str(HUB),
        "--events",
        str(events),
        "--format",
        "markdown",
        "-o",
        str(out),
        "--html",
        str(page),
    )
    assert code == 0
    assert out.read_text().startswith("# What fragmentation costs")
    assert page.read_text().startswith("<!DOCTYPE html>")
    assert f"wrote {page}" in capsys.readouterr().err


def test_cli_report_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(HUB)) == 2
    assert "give an event log with --events LOG" in capsys.readouterr().err
    assert run(str(HUB), "--events", str(tmp_path / "absent.csv")) == 2
    assert "no such event log" in capsys.readouterr().err
    assert run(str(tmp_path / "absent.yaml"), "--events", "x.csv") == 2


def test_cli_report_bad_log_is_a_definition_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("type,case_id,at\nnonsense,c1,2018-09-04T10:00:00+00:00\n")
    assert run(str(HUB), "--events", str(bad)) == 1
    assert re.search(r"bad\.csv:2:1", capsys.readouterr().err)


def test_cli_report_simulate_names_the_simulator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pathway._sim._api", None)
    assert run(str(HUB), "--simulate", "5") == 2
    err = capsys.readouterr().err
    assert "the cohort simulator" in err
    assert "carepathway[sim]" in err


def test_cli_report_simulate_equals_the_report_of_the_simulated_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The simulator's rows measured block by block (the CLI's way) give the report of
    the Parquet log the same simulation writes (the way it was made before)."""
    assert run(str(HUB), "--simulate", "150", "--seed", "3", "--format", "json") == 0
    streamed = json.loads(capsys.readouterr().out)
    model = pathway.load(HUB)
    pathway.simulate(model, cases=150, seed=3, events=tmp_path / "events.parquet")
    whole = json.loads(pathway.analyse(read_log(tmp_path / "events.parquet"), model).to_json())
    assert streamed == whole
    assert streamed["load"]["roles"]
    assert streamed["log"]["cases"] == 150
