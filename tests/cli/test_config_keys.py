"""Every config key is checked as docs/config.md promises: a mistake names the file and the key."""

from __future__ import annotations

import pytest

from runlens.cli import main
from runlens.config import load_config
from runlens.errors import RunlensError


@pytest.mark.parametrize(
    "toml, words",
    [
        ("[load]\nweek_strat = 'monday'\n", ["[load]", "week_strat"]),
        ("[load]\nunit = 'miles'\n", ["[load] unit", "miles"]),
        ("[display]\nunits = 'furlongs'\n", ["[display] units", "furlongs"]),
        ("[dispaly]\nunits = 'metric'\n", ["dispaly"]),
        ("[runner]\nheight_m = 'tall'\n", ["[runner] height_m"]),
    ],
)
def test_bad_key_names_file_and_key(tmp_path, toml, words):
    p = tmp_path / "c.toml"
    p.write_text(toml)
    with pytest.raises(RunlensError) as e:
        load_config(p)
    msg = str(e.value)
    assert str(p) in msg and all(w in msg for w in words), msg


def test_good_keys_are_kept(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[load]\nweek_start = 'sunday'\nunit = 'trimp'\n[display]\nunits = 'imperial'\n")
    c = load_config(p)
    assert c.load == {"week_start": "sunday", "unit": "trimp"} and c.display == {"units": "imperial"}


def test_bad_rule_key_stops_before_reading(tmp_path, capsys):
    p = tmp_path / "c.toml"
    p.write_text("[rules.session_spike]\nbandz = 1\n")
    # the folder does not exist: the config is judged first, and the message says so
    assert main(["weekly", str(tmp_path / "nowhere"), "--config", str(p)]) == 1
    err = capsys.readouterr().err
    assert "[rules.session_spike]" in err and "bandz" in err and str(p) in err and "\n" == err[-1]
    assert err.count("\n") == 1
