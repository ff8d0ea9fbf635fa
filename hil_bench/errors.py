"""hil-bench's exceptions: one tree, rooted at :class:`Error`, each message saying what to do.

The CLI prints ``str(error)`` for any :class:`Error` and exits non-zero without a traceback; anything
else escaping is a bug in hil-bench.
"""

from __future__ import annotations


class Error(Exception):
    """Base of every error hil-bench raises on purpose."""


class UsageError(Error):
    """Arguments that cannot work together, an unknown name, a missing file."""


class UnsupportedModelError(Error):
    """A model hil-bench cannot handle: Keras 3, an unsupported layer, op or type."""


class UnsupportedLayerError(UnsupportedModelError, UsageError):
    """A layer (or a setting of one) hil-bench cannot convert from Keras 3: the input is wrong, so the CLI exits 2."""


class PreserveError(Error):
    """A model lacks the structure a preserve mode needs (no zeros for 'prune', no clusters for 'cluster')."""


class ModelFileError(Error):
    """A .tflite or Keras file that is corrupt, truncated or of an unsupported kind."""


class DecodeError(ModelFileError):
    """A compressed tensor that does not decode or fails its checksum."""


class CorruptTensorError(DecodeError):
    """A weight tensor in the image does not decode, fails its checksum or differs from the reference."""


class ToolMissingError(Error):
    """An external program hil-bench needs is not installed; the message names the install command."""


class BuildError(Error):
    """A firmware or host build failed; the message carries the compiler's output."""


class DoesNotFitError(Error):
    """A model, arena or image does not fit a board's memory; the message names region and numbers."""


class BoardError(Error):
    """An unknown or invalid board definition, or a board that could not be started."""


class UnknownBoardError(BoardError, UsageError):
    """A board name (or a runner of a board) that does not exist: bad usage, so the CLI exits 2."""


class LinkError(Error):
    """The serial link to a device failed."""


class LinkTimeoutError(LinkError):
    """A device did not answer before its deadline; the message shows the last bytes received."""


class ProtocolError(LinkError):
    """A device answered something that breaks the wire protocol (bad frame, CRC mismatch)."""


class DeviceError(LinkError):
    """The device itself reported a failure (fault handler, runtime status)."""


class ResultsError(Error):
    """A results or baseline file that cannot be read or compared."""


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: leave the way Ctrl-C does, through every cleanup (an interrupt, not an Error)."""
