"""The pytest plugin: pathway files as test items, the smoke run, and the fixtures.

Each test builds a small project with ``pytester`` and runs pytest on it in-process. The
plugin is loaded through a ``pytest11`` entry point named ``pathway`` (as an installed
carepathway provides it), from a stand-in distribution put on ``sys.path``, so loading
and disabling it (``-p no:pathway``) are tested the way users meet them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pathway.testing._plugin import glob_matches

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
id: good
title: Good
version: "1"
calendars:
  clinic: {open: {"mon-fri": "09:00-17:00"}}
roles:
  nurse: {team: ward, organisation: hospital}
steps:
  triage: {role: nurse, calendar: clinic}
  done: {outcome: true}
transitions:
  - {trigger: finish, from: triage, to: done}
"""

BAD = """\
id: bad
title: Bad
version: "1"
roles:
  nurse: {team: ward, organisation: hospital}
steps:
  triage: {role: nurze}
  done: {outcome: true}
transitions:
  - {trigger: finish, from: triage, to: done}
"""

HANDOFF = """\
id: handoff
title: A hand-off without a wait
version: "1"
roles:
  nurse: {team: ward, organisation: hospital}
  doctor: {team: clinic, organisation: hospital}
steps:
  triage: {role: nurse}
  see: {role: doctor}
  done: {outcome: true}
transitions:
  - {trigger: refer, from: triage, to: see}
  - {trigger: finish, from: see, to: done}
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with the plugin available through a ``pytest11`` entry point."""
    dist = pytester.path / "_site" / "pathway_plugin_probe-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pathway-plugin-probe\nVersion: 0\n"
    )
    (dist / "entry_points.txt").write_text("[pytest11]\npathway = pathway.testing._plugin\n")
    pytester.syspathinsert(pytester.path / "_site")
    return pytester


def write(pytester: pytest.Pytester, relative: str, text: str) -> Path:
    path = pytester.path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------ collection


def test_a_valid_pathway_file_passes(project: pytest.Pytester) -> None:
    write(project, "pathways/good.yaml", GOOD)
    result = project.runpytest("-v")
    result.stdout.fnmatch_lines(["*pathways/good.yaml::validate PASSED*"])
    result.assert_outcomes(passed=1)


def test_an_invalid_file_fails_with_file_line_col_and_no_traceback(
    project: pytest.Pytester,
) -> None:
    write(project, "pathways/bad.yaml", BAD)
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*_ pathways/bad.yaml: validate _*"])
    assert (
        "pathways/bad.yaml:7:18: error[unknown-reference] steps.triage.role: unknown role "
        "'nurze'; expected one of 'nurse'; did you mean 'nurse'?"
    ) in result.stdout.lines
    output = result.stdout.str()
    assert "Traceback" not in output
    assert "def runtest" not in output
    assert "_plugin.py" not in output


def test_every_problem_in_a_file_is_listed(project: pytest.Pytester) -> None:
    write(project, "pathways/bad.yaml", BAD.replace("to: done}", "to: donne}"))
    result = project.runpytest()
    result.stdout.fnmatch_lines(
        [
            "2 errors in pathway definition:",
            "pathways/bad.yaml:7:18: error*",
            "pathways/bad.yaml:10:*: error*unknown step 'donne'*",
        ]
    )


def test_unreadable_yaml_fails_with_its_position(project: pytest.Pytester) -> None:
    write(project, "pathways/broken.yaml", "id: x\nsteps: [\n")
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["pathways/broken.yaml:*:*: error*"])


def test_only_files_matching_the_globs_under_the_rootdir_are_collected(
    project: pytest.Pytester,
) -> None:
    write(project, "pathways/deep/er/good.yaml", GOOD)
    write(project, "pathways/notes.yml", BAD)
    write(project, "other/bad.yaml", BAD)
    write(project, "bad.yaml", BAD)
    result = project.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["pathways/deep/er/good.yaml::validate"])
    assert "bad.yaml" not in result.stdout.str()
    assert "notes.yml" not in result.stdout.str()


def test_the_globs_are_configurable(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\npathway_files =\n    services/*.yml\n    flows/**/*.yaml\n")
    write(project, "services/a.yml", GOOD)
    write(project, "services/nested/b.yml", GOOD)
    write(project, "flows/c.yaml", GOOD)
    write(project, "pathways/d.yaml", GOOD)
    result = project.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["flows/c.yaml::validate", "services/a.yml::validate"])
    assert "nested" not in result.stdout.str()
    assert "pathways/d.yaml" not in result.stdout.str()


def test_collection_can_be_turned_off(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\npathway_collect = false\n")
    write(project, "pathways/bad.yaml", BAD)
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_plugin_can_be_disabled(project: pytest.Pytester) -> None:
    write(project, "pathways/bad.yaml", BAD)
    result = project.runpytest("-p", "no:pathway")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_projects_own_testpaths_keep_pathway_files_out(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\ntestpaths = tests\n")
    write(project, "pathways/bad.yaml", BAD)
    write(project, "tests/test_one.py", "def test_one():\n    pass\n")
    project.runpytest().assert_outcomes(passed=1)


def test_warnings_are_shown_with_the_item(project: pytest.Pytester) -> None:
    write(project, "pathways/handoff.yaml", HANDOFF)
    result = project.runpytest("-rA")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*pathway warnings*", "*handoff-without-wait*"])


# ------------------------------------------------------------------------ smoke run


def test_simulate_adds_a_smoke_run_per_file(project: pytest.Pytester) -> None:
    write(project, "pathways/good.yaml", GOOD)
    write(project, "pathways/bad.yaml", BAD)
    result = project.runpytest("--pathway-simulate", "5", "--pathway-seed", "7", "-v")
    result.stdout.fnmatch_lines(
        [
            "*pathways/bad.yaml::smoke SKIPPED*",
            "*pathways/good.yaml::smoke PASSED*",
        ]
    )
    result.assert_outcomes(passed=2, failed=1, skipped=1)


def test_a_failing_smoke_run_shows_the_journey_not_a_traceback(
    project: pytest.Pytester,
) -> None:
    write(project, "pathways/good.yaml", GOOD)
    project.makeconftest(
        "import pathway.testing._plugin as plugin\n"
        "def fail(*args, **kwargs):\n"
        "    raise AssertionError('the case is at x, the model expects y\\nJourney on good')\n"
        "plugin.smoke_run = fail\n"
    )
    result = project.runpytest("--pathway-simulate", "1")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["the case is at x, the model expects y", "Journey on good"])
    assert "Traceback" not in result.stdout.str()


# -------------------------------------------------------------------------- fixtures


def test_fixtures_load_pathways_and_start_cases(project: pytest.Pytester) -> None:
    write(project, "pathways/good.yaml", GOOD)
    project.makepyfile(
        test_cases="""
        from datetime import datetime, timezone

        from pathway import Pathway, Worker


        def test_load_pathway_caches(load_pathway):
            first = load_pathway("pathways/good.yaml")
            assert isinstance(first, Pathway)
            assert load_pathway("pathways/../pathways/good.yaml") is first


        def test_new_case_defaults(new_case, load_pathway):
            case = new_case("pathways/good.yaml")
            assert (case.case_id, case.state) == ("case-1", "triage")
            assert new_case(load_pathway("pathways/good.yaml")).case_id == "case-2"
            monday_nine = datetime(2024, 1, 1, 9, tzinfo=timezone.utc)
            case.fire("finish", at=monday_nine, by=Worker("amy", "nurse"))
            assert case.finished


        def test_new_case_arguments(new_case):
            at = datetime(2024, 3, 4, 10, tzinfo=timezone.utc)
            case = new_case("pathways/good.yaml", {}, case_id="c-9", at=at)
            assert case.case_id == "c-9" and case.journal[0].at == at
        """
    )
    result = project.runpytest("test_cases.py")
    result.assert_outcomes(passed=3)


# ------------------------------------------------------------------- units, packaging


@pytest.mark.parametrize(
    ("path", "pattern", "matches"),
    [
        ("pathways/a.yaml", "pathways/**/*.yaml", True),
        ("pathways/x/y/a.yaml", "pathways/**/*.yaml", True),
        ("pathways/a.yml", "pathways/**/*.yaml", False),
        ("other/pathways/a.yaml", "pathways/**/*.yaml", False),
        ("a.yaml", "*.yaml", True),
        ("dir/a.yaml", "*.yaml", False),
        ("dir/a.yaml", "**/*.yaml", True),
        ("a.yaml", "**/*.yaml", True),
        ("flows/a1.yaml", "flows/a?.yaml", True),
        ("flows/a.b.yaml", "flows/a?b.yaml", True),
        ("flows/a/b.yaml", "flows/a?b.yaml", False),
        ("pathways/all/of/it", "pathways/**", True),
    ],
)
def test_glob_matching(path: str, pattern: str, matches: bool) -> None:
    assert glob_matches(path, pattern) is matches


def test_the_entry_point_is_declared() -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    assert project["entry-points"]["pytest11"] == {"pathway": "pathway.testing._plugin"}
