"""How weights are stored and decoded unless the user says otherwise, defined once.

``run``, ``bench``, ``size``, ``sweep``, ``fit``, ``serve``, the library calls and the pytest plugin's
``dut`` all read these two names, so the same model gets the same image (arena, op count, flash)
wherever it is measured; changing a default is one line here.
"""

COMPRESS = "auto"   # per tensor the smallest of raw, TFLite Micro LUT and hil-bench's codec
DECODE = "init"     # compressed weights decoded once at start-up into the arena
