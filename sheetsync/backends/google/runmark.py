"""The run marker: how sheetsync finds out whether a write landed when its answer was lost.

Every batchUpdate sheetsync sends ends with requests about one piece of developer metadata on
the spreadsheet itself (not on a tab, so it works with every output switched off), key
`sheetsync.run`:

* deleteDeveloperMetadata of the markers the last read found (earlier runs'), by their ids;
* createDeveloperMetadata of this run's marker: its value a new run id, its metadataId a new
  random id apart from every id the read saw.

A batchUpdate is atomic, so the marker is in the spreadsheet exactly when this run's output is.
After a write whose answer was an error that may come after applying (a 5xx, a 408) or never
came (a dropped connection, a read timeout), one narrow spreadsheets.get (`CHECK_FIELDS`) tells
which: this run's marker there means written. And because the marker is created with its own
metadataId, the same batch can never be applied twice: should a try that seemed lost land after
all, a retry is refused as a whole ("Developer metadata with ID ... already exists") and the
check after it finds the marker.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

RUN_KEY = "sheetsync.run"
CHECK_FIELDS = "developerMetadata(metadataId,metadataKey,metadataValue)"
"""The field mask of the check: the spreadsheet's own developer metadata, nothing else."""
MAX_METADATA_ID = 2**31 - 1


@dataclass(frozen=True)
class RunMark:
    """This write's marker, and the earlier markers it replaces."""

    run_id: str
    metadata_id: int
    previous: tuple[int, ...] = ()

    def requests(self) -> list[dict[str, Any]]:
        """The requests that replace the earlier markers with this one (end of the batch)."""
        deletes = [
            {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {
                "metadataId": metadata_id}}}}
            for metadata_id in self.previous
        ]  # fmt: skip
        create = {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataId": self.metadata_id,
                    "metadataKey": RUN_KEY,
                    "metadataValue": self.run_id,
                    "location": {"spreadsheet": True},
                    "visibility": "DOCUMENT",
                }
            }
        }
        return [*deletes, create]

    def landed(self, answer: Mapping[str, Any]) -> bool:
        """Whether a spreadsheets.get answer (with CHECK_FIELDS) holds this very marker."""
        return any(
            _id(item) == self.metadata_id and item.get("metadataValue") == self.run_id
            for item in answer.get("developerMetadata") or ()
        )


def new_mark(metadata: Mapping[str, Any], rng: random.Random | None = None) -> RunMark:
    """A marker for the next write, given the spreadsheets.get answer of the last read (its
    markers are replaced; its metadata ids are not reused)."""
    rng = rng or random.SystemRandom()
    taken = set(_all_ids(metadata))
    metadata_id = rng.randint(1, MAX_METADATA_ID)
    while metadata_id in taken:
        metadata_id = rng.randint(1, MAX_METADATA_ID)
    return RunMark(f"{rng.getrandbits(64):016x}", metadata_id, markers(metadata))


def markers(metadata: Mapping[str, Any]) -> tuple[int, ...]:
    """The ids of the run markers on the spreadsheet."""
    return tuple(
        _id(item)
        for item in metadata.get("developerMetadata") or ()
        if item.get("metadataKey") == RUN_KEY
    )


def _all_ids(metadata: Mapping[str, Any]) -> Iterator[int]:
    items: list[Mapping[str, Any]] = list(metadata.get("developerMetadata") or ())
    for sheet in metadata.get("sheets") or ():
        items += sheet.get("developerMetadata") or ()
    return (_id(item) for item in items)


def _id(item: Mapping[str, Any]) -> int:
    return int(item.get("metadataId") or 0)
