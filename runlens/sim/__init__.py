"""Simulated runs and file encoders, for tests, benchmarks and sample_activities/.

:mod:`runlens.sim.synth` simulates runs whose every value is known;
:mod:`runlens.sim.fitwrite`, :mod:`runlens.sim.gpxwrite` and
:mod:`runlens.sim.tcxwrite` encode them as FIT, GPX and TCX files. Nothing that
reads files (``runlens.io`` and everything after it) imports this package;
it imports the readers' helpers (e.g. ``runlens.io.fitrepair.crc16``) so that
each exists once.
"""
