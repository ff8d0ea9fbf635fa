"""The ``hil-bench`` command line (see :mod:`hil_bench.cli.main`)."""
