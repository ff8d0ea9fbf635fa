"""MLPerf Tiny model ids: what the firmware answers to ``profile%`` (``m-model-[ID]``) and how it reports.

MLPerf Tiny's runner picks its test script by that id and stops on any other; the reference firmware
for each benchmark hard-codes it. ``--mlperf-model`` builds it into our image instead.
"""

from __future__ import annotations

from hil_bench.errors import UsageError

# id -> what `results%` prints (the runner's tests.yaml keys, plus strww01 as issue 13 names the
# streaming wake word benchmark; the runner's current scripts call it sww01).
MLPERF_MODELS = {
    "kws01": "class scores (keyword spotting)",
    "vww01": "class scores (visual wake words)",
    "ic01": "class scores (image classification)",
    "ad01": "one anomaly score: mean squared error of the reconstruction",
    "strww01": "class scores (streaming wake word)",
    "sww01": "class scores (streaming wake word, the runner's current name)",
}
NOT_MLPERF = "hil-bench"   # the id an image built without --mlperf-model answers
ANOMALY = ("ad01",)        # ids whose results are one anomaly score, not the outputs


def check_mlperf_model(model_id: str | None) -> str:
    """The id to build in: ``model_id`` if MLPerf Tiny knows it, ``"hil-bench"`` for None."""
    if model_id is None:
        return NOT_MLPERF
    if model_id not in MLPERF_MODELS:
        raise UsageError(f"--mlperf-model {model_id!r} unknown; MLPerf Tiny's runner knows: {', '.join(MLPERF_MODELS)}")
    return model_id
