"""Every zoo model (untrained, post-training int8) on the --board, with the build's kernel path:
outputs byte-identical to the tflite_micro interpreter on random inputs and the int8 extremes."""

import numpy as np
import pytest

from hil_bench.models import MODELS

from .conftest import needs_tools

pytestmark = needs_tools
SAMPLES = 4


@pytest.mark.parametrize("name", sorted(MODELS))
def test_zoo_model_matches_oracle_on_board(board, name):
    from tflite_micro.python.tflite_micro import runtime

    from hil_bench.dut import run_model
    from hil_bench.runtime import model_info
    from hil_bench.zoo import zoo_int8

    model = zoo_int8(name)
    info = model_info(model)
    spec = info["inputs"][0]
    if len(info["inputs"]) != 1 or spec["type"] != 9:
        pytest.skip(f"{name}: not a single int8 input")
    x = np.random.default_rng(7).integers(-128, 128, size=(SAMPLES, *spec["shape"]), dtype=np.int8)
    x[0], x[1], x[2] = -128, 127, spec["zero_point"]
    ours = run_model(model, board, x, name=name, runs=1, warmups=0, profile_layers=False)

    oracle = runtime.Interpreter.from_bytes(model)
    for i in range(SAMPLES):
        oracle.set_input(x[i], 0)
        oracle.invoke()
        for k in range(len(info["outputs"])):
            want = oracle.get_output(k)
            got = ours.outputs[k][i].reshape(want.shape)
            differ = got.view(np.uint8) != want.view(np.uint8)
            assert not differ.any(), (f"{name} on {board.name}: output {k} sample {i}: "
                                      f"{int(differ.sum())} of {differ.size} bytes differ from tflite_micro")
