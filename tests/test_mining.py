"""Mining reporting verbs from gold attributions (PolNeAR dev, UD for lemmas)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotes.extract.mining import mine_cues, write_mined

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
POLNEAR_DEV = SHARED / "polnear" / "dev"
UD = SHARED / "ud"

pytestmark = pytest.mark.skipif(
    not (POLNEAR_DEV.is_dir() and UD.is_dir()), reason="PolNeAR dev or UD is not beside the repository"
)


@pytest.fixture(scope="module")
def mined():
    return {cue.lemma: cue for cue in mine_cues(POLNEAR_DEV, UD)}


def test_say_is_the_commonest_cue(mined):
    assert max(mined.values(), key=lambda cue: cue.cues).lemma == "say"
    assert mined["say"].ratio > 0.5


def test_raising_verb_is_flagged_and_say_is_not(mined, tmp_path):
    """Most "seem" contents straddle the verb ("the plan seems to fail"); few of "say"'s do."""
    assert mined["seem"].raising(0.4)
    assert not mined["say"].raising(0.4)
    path = write_mined(list(mined.values()), tmp_path / "mined.txt", source="dev")
    rows = {
        line.split()[0]: line.split("#")[0].split()[1:]
        for line in path.read_text().splitlines()
        if line[0] != "#"
    }
    assert "raising" in rows["seem"] and "raising" not in rows["say"]
