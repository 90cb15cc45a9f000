"""Runner identity: folders, mapping files and their errors."""

from __future__ import annotations

import pytest

from runlens.cohort.runners import RunnerMap, assign_runners, load_mapping
from runlens.errors import RunlensError


def test_folders_one_runner_per_first_level_subfolder():
    a = assign_runners(
        "/c",
        ["/c/bob/x/1.fit", "/c/alice/2.gpx", "/c/top.fit", "/c/alice/deep/er/3.fit.gz"],
        RunnerMap(),
    )
    assert a.by_runner == {
        "alice": ["/c/alice/2.gpx", "/c/alice/deep/er/3.fit.gz"],
        "bob": ["/c/bob/x/1.fit"],
    }
    assert a.unassigned == ["/c/top.fit"]


def test_mapping_first_match_wins_and_star_crosses_folders(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text(
        "\ufeffpath_glob,runner\n"  # a BOM, as spreadsheet programs write
        "# comment\n\n"
        "garmin/anna_*,anna\n"
        '"strava/*",  "Anna B"  \n'
        "*.gpx,gpx-people\n"
        "garmin/*,rest\n"
    )
    rm = load_mapping(m)
    assert rm.mode == "mapping"
    assert rm.runner_of("garmin/anna_1.fit") == "anna"
    assert rm.runner_of("strava/deep/1.gpx") == "Anna B"  # before *.gpx
    assert rm.runner_of("x/y/z.gpx") == "gpx-people"
    assert rm.runner_of("garmin/ben.fit") == "rest"
    assert rm.runner_of("other/ben.fit") is None
    assert rm.runner_of("GARMIN/anna_1.fit") is None  # case-sensitive
    assert RunnerMap.from_dict(rm.to_dict()) == rm


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty mapping file"),
        ("glob,who\na,b\n", "line 1: expected the header path_glob,runner"),
        ("path_glob,runner\na\n", "line 2: expected two values"),
        ("path_glob,runner\na,b\nc,,\n", "line 3: expected two values"),
        ("path_glob,runner\na,  \n", "line 2: empty runner id"),
    ],
)
def test_mapping_errors_name_file_and_line(tmp_path, text, message):
    m = tmp_path / "m.csv"
    m.write_text(text)
    with pytest.raises(RunlensError, match=message) as e:
        load_mapping(m)
    assert "m.csv" in str(e.value)


def test_missing_mapping_file(tmp_path):
    with pytest.raises(RunlensError, match="no such mapping file"):
        load_mapping(tmp_path / "nope.csv")
