"""The trainers' workshop without the web: drafts stay apart from what trainees see, lint
names the draft's lines, and publishing needs clean lint and passing tests and keeps the
previous version."""

from __future__ import annotations

import shutil

import pytest

from sparring import versions
from sparring.scenarios import SCENARIO_DIR, Catalogue
from sparring.workshop import PublishedTests, Workshop, WorkshopError

SCENARIO = "double-charge"


@pytest.fixture
def workshop(tmp_path, monkeypatch):
    scenarios = tmp_path / "scenarios"
    shutil.copytree(SCENARIO_DIR, scenarios)
    monkeypatch.setattr(versions, "VERSIONS_DIR", tmp_path / "versions")
    return Workshop(scenarios, tmp_path / "drafts")


def test_a_saved_draft_is_never_in_the_catalogue_trainees_use(workshop):
    text, tests = workshop.draft(SCENARIO)
    workshop.save(SCENARIO, text.replace("Dana Whitfield", "Dana Draft"), tests)
    assert workshop.draft(SCENARIO)[0] != text
    published = Catalogue(workshop.scenario_dir).refresh().get(SCENARIO)
    assert published.customer_name == "Dana Whitfield"
    row = next(r for r in workshop.listing() if r["id"] == SCENARIO)
    assert row["published"] and row["draft"] and row["draft_valid"]


def test_lint_names_the_line_of_the_draft(workshop):
    text, _ = workshop.draft(SCENARIO)
    broken = text.replace("difficulty: medium", "difficulty: middling")
    line = broken.splitlines().index("difficulty: middling") + 1
    [problem] = workshop.lint(SCENARIO, broken)
    assert str(problem).startswith(f"scenarios/{SCENARIO}.yml:{line}: difficulty: must be one of")


@pytest.mark.parametrize("bad_id", ["", "A", "../etc/passwd", "x" * 80, "no spaces"])
def test_ids_that_could_escape_the_folder_are_refused(workshop, bad_id):
    with pytest.raises(WorkshopError):
        workshop.save(bad_id, "id: x", "")


def test_publishing_needs_passing_tests_and_keeps_the_previous_version(workshop):
    text, tests = workshop.draft(SCENARIO)
    old_version = versions.content_version(text.encode())
    with pytest.raises(WorkshopError, match="no saved draft"):
        workshop.publish(SCENARIO, "Tess")
    workshop.save(SCENARIO, text, tests.replace("score: [85, 100]", "score: [0, 1]", 1))
    with pytest.raises(WorkshopError, match="tests do not all pass"):
        workshop.publish(SCENARIO, "Tess")
    edited = text.replace("patience_seconds: 45", "patience_seconds: 60")
    workshop.save(SCENARIO, edited, tests)
    published = workshop.publish(SCENARIO, "Tess")
    assert published["previous_version"] == old_version and published["version"] != old_version
    assert (workshop.scenario_dir / f"{SCENARIO}.yml").read_text(encoding="utf-8") == edited
    assert versions.read("scenarios", SCENARIO, old_version) == text
    assert not (workshop.drafts_dir / f"{SCENARIO}.yml").exists()
    row = next(r for r in workshop.listing() if r["id"] == SCENARIO)
    assert row["last_published"]["published_by"] == "Tess" and row["last_published"]["version"] == published["version"]


def test_the_list_carries_the_published_tests_results_for_the_current_files(tmp_path):
    scenarios = tmp_path / "scenarios"
    (scenarios / "tests").mkdir(parents=True)
    for name in (SCENARIO, "late-parcel"):
        shutil.copy(SCENARIO_DIR / f"{name}.yml", scenarios)
        shutil.copy(SCENARIO_DIR / "tests" / f"{name}.yml", scenarios / "tests")
    shutil.copy(SCENARIO_DIR / "tests" / "content-free.yml", scenarios / "tests")
    published = PublishedTests(scenarios)
    assert published.summary() is None  # not played yet
    published.play()
    results = published.summary()
    assert set(results) == {SCENARIO, "late-parcel"}
    assert results[SCENARIO]["passed"] == results[SCENARIO]["total"] > 0 and results[SCENARIO]["complete"]
    tests = scenarios / "tests" / f"{SCENARIO}.yml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("score: [85, 100]", "score: [0, 1]", 1), encoding="utf-8")
    assert published.summary() is None  # the files changed: the old results no longer hold
    published.play()
    assert published.summary()[SCENARIO]["passed"] == published.summary()[SCENARIO]["total"] - 1
