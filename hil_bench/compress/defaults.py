"""How weights are stored and decoded unless the user says otherwise, defined once.

``run``, ``bench``, ``size``, ``sweep``, ``fit``, ``serve``, the library calls and the pytest plugin's
``dut`` all read these two names, so the same model gets the same image (arena, op count, flash)
wherever it is measured; changing a default is one line here.
"""

COMPRESS = "auto"   # per tensor the smallest stored form under DECODE (hil_bench.compress.model)
DECODE = "in-place"  # the kernels read palette and N:M weights straight from flash: no copy in RAM
