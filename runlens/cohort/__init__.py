"""Cohorts: many runners' histories, scanned on a Dask cluster into Parquet.

>>> from runlens.cohort import scan_cohort, cohort_weekly, frame_from_dataset  # doctest: +SKIP
>>> rep = scan_cohort("squad/", "squad.parquet")              # a LocalCluster   # doctest: +SKIP
>>> rep = scan_cohort("squad/", "squad.parquet", scheduler="tcp://head:8786")  # doctest: +SKIP
>>> cw = cohort_weekly(frame_from_dataset("squad.parquet"))   # runners x weeks  # doctest: +SKIP

Nothing here imports dask or pyarrow at import time: they are the optional
extra ``runlens[dask]`` and are imported when a cohort is scanned or read.
docs/cohort.md documents the layout, the mapping file and remote clusters.
"""

from __future__ import annotations

from .runners import RunnerMap, assign_runners, load_mapping
from .scan import CohortScanReport, default_dataset_path, scan_cohort
from .weekly import CohortWeekly, cohort_weekly, frame_from_dataset, frame_from_store

__all__ = [
    "RunnerMap",
    "load_mapping",
    "assign_runners",
    "scan_cohort",
    "CohortScanReport",
    "default_dataset_path",
    "CohortWeekly",
    "cohort_weekly",
    "frame_from_dataset",
    "frame_from_store",
]
