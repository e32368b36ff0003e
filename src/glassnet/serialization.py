"""Model files: weights as safetensors tensors, everything else as JSON in the header.

A glassnet model file is a plain safetensors file (readable by any safetensors library):
tensors ``layer0.weights``, ``layer0.bias``, ``layer1.weights``, ... , the optimizer's state
arrays as ``optimizer.<key>`` (Adam's moments ``optimizer.m.0`` ...), and one header
metadata entry, ``"glassnet"``, holding a JSON document::

    {"format": "glassnet-model", "format_version": 2, "glassnet_version": "0.1.0",
     "network": Network.get_config(),        # every layer, activation and cost setting
     "model": Model.get_config() or null,    # preprocessing, task, classes, target scaling
     "optimizer": {"config": ..., "state": {scalars}} or null,
     "schedule": {"config": ..., "state": {...}} or null,   # the last fit's schedule
     "rng": the seed stream's bit-generator state or null,
     "history": {"epoch": [...], "values": {...}, "stopped_early", "interrupted"} or null,
     "metadata": net.metadata}

Nothing in it is executed when loading, and no pickle is used anywhere. ``load`` reads the
8-byte header length and the header first, checks every field's JSON type against one
schema (``DOCUMENT``, walked by ``_check``), and only then reads the tensors; anything
malformed is refused in one line, "PATH is not a glassnet model file: ...".

``save`` writes a temporary file in the same folder and renames it over the target, so an
existing model file is either the old one or the new one, never half written.
"""

from __future__ import annotations

import errno
import fcntl
import json
import math
import os
import secrets
import stat
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

import numpy as np

from glassnet import __version__
from glassnet.history import History
from glassnet.layers import Dense
from glassnet.network import Network

if TYPE_CHECKING:
    from glassnet.model import Model

FORMAT = "glassnet-model"
FORMAT_VERSION = 2
READS_VERSIONS = (1, 2)
METADATA_KEY = "glassnet"
HEADER_LIMIT = 100_000_000
"""The largest JSON header read (safetensors' own limit): a longer one is refused unread."""
MAX_DEPTH = 64
"""The deepest JSON nesting a model file's document may have (a real one has about 6)."""
_TENSOR_DTYPES: dict[str, np.dtype[Any]] = {"F64": np.dtype("<f8"), "F32": np.dtype("<f4")}


# ----- JSON ------------------------------------------------------------------------------------
def to_jsonable(value: Any) -> Any:
    """NumPy scalars and arrays (nested in dicts and lists) as plain JSON values.

    NaN and infinities become ``null``: JSON has no such numbers (an epoch that a later
    ``fit`` did not log, or a diverged cost, is stored as null).
    """
    if isinstance(value, (np.ndarray, np.generic)):
        return to_jsonable(value.tolist())
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN; a diverged epoch's cost is stored as null
    return value


# ----- the schema: every field's JSON type, checked in one walk ----------------------------------
class _Refused(Exception):
    """A field that does not fit the schema: ``where`` (a JSON path) and what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where} {problem}" if where else problem)


def _kind(value: Any) -> str:
    """The JSON name of ``value``'s type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


@dataclass(frozen=True)
class Text:
    """A JSON string."""


@dataclass(frozen=True)
class Flag:
    """true or false."""


@dataclass(frozen=True)
class Integer:
    """A JSON integer in ``[low, high]``."""

    low: int = 0
    high: int = 2**63 - 1


@dataclass(frozen=True)
class Number:
    """A finite JSON number (``1e999`` parses as infinity and is refused)."""


@dataclass(frozen=True)
class Nullable:
    """``null`` or ``inner``."""

    inner: Any


@dataclass(frozen=True)
class ListOf:
    """A list whose every item is ``item`` (exactly ``length`` of them, when given)."""

    item: Any
    length: int | None = None


@dataclass(frozen=True)
class MapOf:
    """An object with any keys, each value ``value``."""

    value: Any


@dataclass(frozen=True)
class Record:
    """An object with ``required`` and ``optional`` keys; any other key must be ``extra``
    (None: no other key allowed)."""

    required: Mapping[str, Any]
    optional: Mapping[str, Any] = field(default_factory=dict)
    extra: Any = None


@dataclass(frozen=True)
class AnyOf:
    """Any of ``options`` (the first that fits)."""

    options: tuple[Any, ...]
    describe: str


@dataclass(frozen=True)
class Json:
    """Any JSON value, numbers finite, nested at most ``MAX_DEPTH`` deep."""


def _check(value: Any, schema: Any, where: str = "", depth: int = 0) -> None:
    """Walk ``value`` along ``schema``; raise ``_Refused`` at the first field that differs."""
    if depth > MAX_DEPTH:
        raise _Refused(where, f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(schema, Nullable):
        if value is not None:
            _check(value, schema.inner, where, depth)
        return
    if isinstance(schema, AnyOf):
        for option in schema.options:
            try:
                _check(value, option, where, depth)
                return
            except _Refused:
                continue
        raise _Refused(where, f"is {_kind(value)}, not {schema.describe}")
    expected = _EXPECTED[type(schema)]
    if not _fits(value, schema):
        raise _Refused(where, f"is {_kind(value)}, not {expected}")
    if isinstance(schema, (Integer, Number)):
        _check_number(value, schema, where)
    elif isinstance(schema, ListOf):
        if schema.length is not None and len(value) != schema.length:
            raise _Refused(where, f"has {len(value)} items, not {schema.length}")
        for i, item in enumerate(value):
            _check(item, schema.item, f"{where}[{i}]", depth + 1)
    elif isinstance(schema, MapOf):
        for key, item in value.items():
            _check(item, schema.value, _join(where, key), depth + 1)
    elif isinstance(schema, Record):
        missing = [key for key in schema.required if key not in value]
        if missing:
            raise _Refused(where or "the document", f"lacks {missing[0]!r}")
        for key, item in value.items():
            inner = schema.required.get(key, schema.optional.get(key, schema.extra))
            if inner is None:
                raise _Refused(_join(where, key), "is not a field this format has")
            _check(item, inner, _join(where, key), depth + 1)
    elif isinstance(schema, Json):
        items = (
            value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        )
        for item in items:
            _check(item, schema, where, depth + 1)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_number(value, Number(), where)


def _fits(value: Any, schema: Any) -> bool:
    """Whether ``value`` has the JSON type ``schema`` asks for (not yet its contents)."""
    if isinstance(schema, Text):
        return isinstance(value, str)
    if isinstance(schema, Flag):
        return isinstance(value, bool)
    if isinstance(schema, Integer):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(schema, Number):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(schema, ListOf):
        return isinstance(value, list)
    if isinstance(schema, (MapOf, Record)):
        return isinstance(value, dict)
    return isinstance(schema, Json)


_EXPECTED = {
    Text: "text",
    Flag: "true/false",
    Integer: "an integer",
    Number: "a number",
    ListOf: "a list",
    MapOf: "an object",
    Record: "an object",
    Json: "JSON",
}


def _check_number(value: int | float, schema: Integer | Number, where: str) -> None:
    if isinstance(schema, Integer):
        if not schema.low <= value <= schema.high:
            shown = str(value) if abs(value) < 10**30 else f"a {len(str(abs(value)))}-digit number"
            raise _Refused(where, f"is {shown}, outside {schema.low} to {schema.high}")
        return
    try:
        finite = math.isfinite(float(value))
    except OverflowError:  # an integer beyond the float range
        finite = False
    if not finite:
        raise _Refused(where, "is not a finite number (too large for a float, or 1e999)")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


SCALAR = AnyOf((Text(), Number(), Flag()), "text, a number or true/false")
CONFIG = Record({"name": Text()}, extra=Nullable(AnyOf((SCALAR, ListOf(SCALAR)), "a setting")))
"""An activation, cost, optimizer or initializer ``get_config()``: a name and its settings."""
SETTING = AnyOf((Text(), Number()), "a name or a number")
LAYER = Record(
    {"n_in": Integer(1), "n_out": Integer(1), "activation": CONFIG},
    {"weights": SETTING, "bias": SETTING, "dropout": Number(), "l2": Number()},
)
NETWORK = Record({"layers": ListOf(LAYER), "cost": CONFIG, "dtype": Text()})
LABEL = AnyOf((Text(), Integer(-(2**200), 2**200), Number(), Flag()), "a class label")
NUMBERS = ListOf(Number())
COLUMN = Record(
    {"name": Text(), "role": Text()},
    {
        "median": Number(),
        "mean": Number(),
        "scale": Number(),
        "missing_indicator": Flag(),
        "missing_words": ListOf(Text()),
        "categories": ListOf(Text()),
        "reason": Text(),
        "keep": Nullable(Text()),
    },
)
PREPROCESSING = Record({"columns": ListOf(COLUMN)}, {"na_values": ListOf(Text())}, extra=Json())
MODEL = Record(
    {},
    {
        "task": Text(),
        "target": Nullable(AnyOf((Text(), ListOf(Text())), "a column name or a list of them")),
        "classes": Nullable(ListOf(LABEL)),
        "target_mean": Nullable(AnyOf((Number(), NUMBERS), "a number or a list of numbers")),
        "target_scale": Nullable(AnyOf((Number(), NUMBERS), "a number or a list of numbers")),
        "preprocessing": Nullable(PREPROCESSING),
    },
    extra=Json(),
)
OPTIMIZER = Record({"config": CONFIG, "state": MapOf(Number())})
SCHEDULE = Record({"config": CONFIG, "state": MapOf(Nullable(Number()))})
RNG = Record({"bit_generator": Text(), "state": MapOf(Json())}, extra=Json())
HISTORY = Record(
    {"epoch": ListOf(Integer()), "values": MapOf(ListOf(Nullable(Number())))},
    {"stopped_early": Flag(), "interrupted": Flag()},
)
TRAINING = Record(
    {},
    {
        "rows": Integer(),
        "validation_rows": Integer(),
        "optimizer": Nullable(Text()),
        "learning_rate": Nullable(Number()),
        "batch_size": Nullable(Integer(1)),
        "early_stopping": Flag(),
    },
    extra=Json(),
)
"""What ``glassnet train`` stores of how it trained (``plot --kind training`` replays it)."""
METADATA = Record(
    {},
    {
        "seed": Nullable(Integer(0, 2**128)),
        "training": Nullable(TRAINING),
        "feature_names": Nullable(ListOf(Text())),
    },
    extra=Json(),
)
"""A network's metadata: the fields glassnet reads back typed, anything else as JSON."""
_HEAD = {"format": Text(), "format_version": Integer(), "glassnet_version": Text()}
DOCUMENT = Record(
    {**_HEAD, "network": NETWORK},
    {
        "model": Nullable(MODEL),
        "optimizer": Nullable(OPTIMIZER),
        "schedule": Nullable(SCHEDULE),
        "rng": Nullable(RNG),
        "history": Nullable(HISTORY),
        "metadata": METADATA,
    },
)
"""The glassnet document of a format-2 model file."""
V1_LAYER = Record(
    {"n_in": Integer(1), "n_out": Integer(1), "activation": Text()},
    {"dropout": Number(), "l2": Number()},
)
V1_SCALING = Record({"mean": NUMBERS, "scale": NUMBERS})
V1_METADATA = Record(
    {},
    {
        "feature_names": Nullable(ListOf(Text())),
        "target_name": Nullable(Text()),
        "classes": Nullable(ListOf(LABEL)),
        "task": Nullable(Text()),
        "scaler": Nullable(V1_SCALING),
        "target_scaler": Nullable(V1_SCALING),
        "estimator": Text(),
        "seed": Nullable(Integer(-(2**200), 2**200)),
    },
    extra=Json(),
)
DOCUMENT_V1 = Record(
    {**_HEAD, "layers": ListOf(V1_LAYER), "cost": Text()},
    {"dtype": Text(), "metadata": Nullable(V1_METADATA), "history": Nullable(HISTORY)},
)
"""The glassnet document of a format-1 (round 1) model file."""
TENSOR = Record(
    {"dtype": Text(), "shape": ListOf(Integer()), "data_offsets": ListOf(Integer(), length=2)}
)
SAFETENSORS = Record({}, {"__metadata__": MapOf(Text())}, extra=TENSOR)


# ----- writing -----------------------------------------------------------------------------------
def check_writable(path: str | os.PathLike[str]) -> str:
    """Return ``path`` as a string after checking a file can be created there.

    Raises
    ------
    ValueError : the folder does not exist or cannot be written, or ``path`` is a folder.
    """
    target = os.fspath(path)
    if not target:
        raise ValueError("cannot write to an empty path; give a file name")
    if os.path.islink(target):
        try:
            os.stat(target)
        except OSError as error:
            if error.errno == errno.ELOOP:  # links that name each other: no file at the end
                raise ValueError(
                    f"cannot write {target}: it is a symbolic link that loops; remove it or "
                    "give another path"
                ) from None
    real = os.path.realpath(target)
    if os.path.isdir(real) or target.endswith(("/", os.sep)):
        # "m.safetensors/" names a folder: realpath would drop the slash and write a file
        raise ValueError(f"cannot write {target}: it is a folder; give a file name")
    if _is_special(target):
        return target  # a FIFO, a device or a pipe (/dev/stdout): written into, in place
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write {target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write {target}: the folder {folder} is not writable")
    name = os.path.basename(real).encode()
    longest = os.pathconf(folder, "PC_NAME_MAX")
    if len(name) > longest:
        raise ValueError(
            f"cannot write {target}: its name is {len(name)} bytes long, and the folder's "
            f"file system takes {longest}; give a shorter name"
        )
    refused = _refuses_files(folder)
    if refused is not None:
        raise ValueError(f"cannot write {target} ({refused.strerror}); write elsewhere")
    return target


def _refuses_files(folder: str) -> OSError | None:
    """Why a file cannot be created in ``folder`` (root passes ``os.access`` and still
    cannot create one in /sys or on a read-only file system), or None: found by making
    one, before any work. A file with no name (O_TMPFILE) leaves nothing behind, whatever
    interrupts; a file system without them gets a named one, removed at once."""
    try:
        os.close(os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600))
        return None
    except OSError as error:
        if error.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return error
    probe = os.path.join(folder, f".glassnet-{secrets.token_hex(6)}.tmp")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        return error
    os.unlink(probe)
    return None


def write_atomically(
    path: str | os.PathLike[str], content: bytes | Callable[[BinaryIO], None]
) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and a rename.

    ``content`` is the bytes, or a function that writes them to the binary file it is given.
    ``path`` holds either its old content or all of the new, never half of it: an error or
    Ctrl-C while writing leaves the old file as it was. A replaced file keeps its
    permissions; a new one gets the usual ones (0666 less the umask). A symbolic link is
    followed (the file it names is replaced, the link kept); a FIFO or a device such as
    ``/dev/null`` or ``/dev/stdout`` is written into, as a shell redirection would, since
    renaming over it would replace the special file itself.
    """
    target = check_writable(path)
    real = os.path.realpath(target)
    if _is_special(target):
        try:
            _write_into(target, content)
        except OSError as error:
            raise _not_written(target, error, kept=False) from None
        return
    # the name is chosen before the file is made, so a Ctrl-C or kill the moment after
    # (Python raises it as the call returns) still knows what to remove; the real name's
    # start only, so a name near the filesystem's 255-byte limit leaves room for the rest
    base = os.path.basename(real).encode()[:200].decode(errors="ignore")
    temporary = os.path.join(os.path.dirname(real), f".{base}.{secrets.token_hex(6)}.tmp")
    refused = False  # whether the temporary file could not be made (then it is not ours)
    try:
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            refused = True
            raise
        # the temporary file is private (0600); give it the mode a plain open() would
        os.fchmod(handle, _mode_for(real))
        with os.fdopen(handle, "wb") as out:
            _emit(out, content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, real)
    except BaseException as error:
        # drop the half-written temporary file, whatever stopped the write; a second
        # Ctrl-C (polars raises one of its own) must not stop the cleaning
        while not refused:
            try:
                if os.path.exists(temporary):
                    os.unlink(temporary)
                break
            except KeyboardInterrupt:
                continue
        if isinstance(error, OSError):  # not made (a folder one may not write in), or cut
            raise _not_written(target, error, kept=os.path.exists(real)) from None
        raise


def _not_written(target: str, error: OSError, kept: bool) -> OSError:
    """The one line for a write that failed (a full disk, an I/O error): which file, why,
    and that an existing one is as it was. (polars' errors carry no strerror, only text.)"""
    reason = error.strerror or str(error).splitlines()[0] or type(error).__name__
    untouched = f"; {target} is as it was" if kept else ""
    full = error.errno == errno.ENOSPC or "No space left" in reason
    fix = "free some space or write elsewhere" if full else "write elsewhere"
    return OSError(f"cannot write {target} ({reason}){untouched}; {fix}")


def _emit(out: BinaryIO, content: bytes | Callable[[BinaryIO], None]) -> None:
    if isinstance(content, bytes):
        out.write(content)
    else:
        content(out)


def _is_special(target: str) -> bool:
    """Whether ``target`` names an existing file that is no regular one: a FIFO, a device,
    or a pipe or terminal behind /dev/stdout (whose real path, "pipe:[…]", names nothing:
    it is opened by the name given)."""
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        return False


def _write_into(target: str, content: bytes | Callable[[BinaryIO], None]) -> None:
    """Write into an existing FIFO or device; a FIFO nobody reads is refused, not waited on."""
    mode = os.stat(target).st_mode
    flags = os.O_WRONLY | (os.O_NONBLOCK if stat.S_ISFIFO(mode) else 0)
    try:
        descriptor = os.open(target, flags)
    except OSError as error:
        if error.errno == errno.ENXIO:  # opening a FIFO without a reader
            raise ValueError(
                f"cannot write {target}: it is a FIFO and no program is reading it; start "
                "the reader first or give a file name"
            ) from None
        raise
    # writes block as a shell redirection's would
    fcntl.fcntl(descriptor, fcntl.F_SETFL, fcntl.fcntl(descriptor, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    with os.fdopen(descriptor, "wb") as out:
        _emit(out, content)


def _mode_for(target: str) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def network_of(model: object, action: str) -> Network:
    """``model`` when it is a ``Network``, else the network of a ``Model`` or of a fitted
    estimator (``network_``).

    ``action`` names the caller in the error ("save", "export").

    Raises
    ------
    ValueError : ``model`` is an estimator that is not fitted yet.
    TypeError : ``model`` is neither a Network, a Model nor an estimator with a ``network_``.
    """
    if isinstance(model, Network):
        return model
    for attribute in ("network", "network_"):
        fitted = getattr(model, attribute, None)
        if isinstance(fitted, Network):
            return fitted
    name = type(model).__name__
    if hasattr(model, "get_params"):  # a scikit-learn estimator, before its first fit
        raise ValueError(f"{action} needs a fitted {name}: call fit first (it has no network_)")
    raise TypeError(
        f"{action} needs a glassnet Network, Model or a fitted GlassClassifier/GlassRegressor; "
        f"got {name}"
    )


def _network_and_model(obj: object) -> tuple[Network, Model | None]:
    """What ``save`` stores for ``obj``: its network, and the Model around it (if any)."""
    from glassnet.model import Model

    if isinstance(obj, Network):
        return obj, None
    if isinstance(obj, Model):
        return obj.network, obj
    if hasattr(obj, "to_model"):
        model = obj.to_model()
        return model.network, model
    network_of(obj, "save")  # raises the error that says what save takes
    raise AssertionError("network_of accepted what _network_and_model does not")


def describe(obj: object) -> dict[str, Any]:
    """The JSON document stored in a model file's header for ``obj`` (see ``save``)."""
    return _describe(*_network_and_model(obj))


def _describe_schedule(schedule: Any) -> dict[str, Any] | None:
    """A schedule's config and state (an infinite best, nothing seen yet, becomes null)."""
    if schedule is None:
        return None
    return {
        "config": to_jsonable(schedule.get_config()),
        "state": to_jsonable(schedule.get_state()),
    }


def _describe(net: Network, model: Model | None) -> dict[str, Any]:
    history = net.history
    optimizer = net.optimizer
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "glassnet_version": __version__,
        "network": to_jsonable(net.get_config()),
        "model": None if model is None else to_jsonable(model.get_config()),
        "optimizer": None
        if optimizer is None
        else {
            "config": to_jsonable(optimizer.get_config()),
            "state": {
                k: to_jsonable(v)
                for k, v in optimizer.get_state().items()
                if not isinstance(v, np.ndarray)
            },
        },
        "schedule": _describe_schedule(net.schedule),
        "rng": to_jsonable(net.rng.bit_generator.state),
        "metadata": to_jsonable(net.metadata),
        "history": None
        if history is None
        else {
            "epoch": list(history.epoch),
            "values": to_jsonable(history.history),
            "stopped_early": history.stopped_early,
            "interrupted": history.interrupted,
        },
    }


def _tensors(net: Network) -> dict[str, np.ndarray]:
    """Every array a model file holds: the weights, then the optimizer's state arrays."""
    tensors = {}
    for i, layer in enumerate(net.layers):
        tensors[f"layer{i}.weights"] = np.ascontiguousarray(layer.weights)
        tensors[f"layer{i}.bias"] = np.ascontiguousarray(layer.bias)
    if net.optimizer is not None:
        for key, value in net.optimizer.get_state().items():
            if isinstance(value, np.ndarray):
                tensors[f"optimizer.{key}"] = np.ascontiguousarray(value)
    return tensors


def save(model: object, path: str | os.PathLike[str]) -> None:
    """Write a network or a model to ``path`` as a safetensors model file, atomically.

    Parameters
    ----------
    model : a ``Network``, a ``Model`` (preprocessing + network + task + classes), or
        anything with ``to_model()`` (a fitted ``GlassClassifier`` / ``GlassRegressor``).
        Stored: every layer, activation and cost setting, the weights, the optimizer's
        settings and state, the seed stream, the history and the model's configuration;
        ``load`` gives back an object that predicts and goes on training exactly as this one.
    path : the file to write (``.safetensors``).

    Raises
    ------
    TypeError : ``model`` is none of those.
    ValueError : ``model`` holds what ``load`` could not rebuild (a custom activation, cost
        or optimizer class, a classifier of one class), or the folder does not exist, or
        ``path`` is a folder. Nothing is written then.
    OSError : the file cannot be written (the old file, if any, is left as it was).
    """
    from safetensors.numpy import save as to_bytes

    net, wrapped = _network_and_model(model)
    document = _describe(net, wrapped)
    _check_loadable(document, net, wrapped)
    header = json.dumps(document, ensure_ascii=False, allow_nan=False)
    write_atomically(path, to_bytes(_tensors(net), metadata={METADATA_KEY: header}))


def _check_loadable(document: dict[str, Any], net: Network, model: Model | None) -> None:
    """Refuse, before writing, what ``load`` would refuse or rebuild differently: a class
    that is not glassnet's own (a custom activation, cost or optimizer), one class."""

    def refuse(problem: str) -> ValueError:
        return ValueError(f"cannot save: {problem}")

    try:
        _check(document, DOCUMENT)
    except _Refused as error:
        raise refuse(f"{error} (every setting must be text, a number or true/false)") from None
    try:
        rebuilt = Network.from_config(document["network"])
    except (ValueError, TypeError, KeyError) as error:
        raise refuse(f"its network cannot be rebuilt from its settings ({error})") from None
    pairs: list[tuple[str, object, object]] = [
        (f"layer {i + 1}'s activation", ours.activation, theirs.activation)
        for i, (ours, theirs) in enumerate(zip(net.layers, rebuilt.layers, strict=True))
    ]
    pairs.append(("the cost", net.cost_function, rebuilt.cost_function))
    if net.optimizer is not None:
        from glassnet.optimizers import get_optimizer

        pairs.append(
            ("the optimizer", net.optimizer, get_optimizer(document["optimizer"]["config"]))
        )
    if net.schedule is not None:
        from glassnet.schedules import get_schedule

        try:
            rebuilt_schedule = get_schedule(document["schedule"]["config"])
        except ValueError as error:
            raise refuse(f"its schedule cannot be rebuilt ({error})") from None
        pairs.append(("the schedule", net.schedule, rebuilt_schedule))
    for what, ours, theirs in pairs:
        if type(ours) is not type(theirs):
            raise refuse(
                f"{what} is a {type(ours).__name__}, which glassnet cannot rebuild from a file "
                f"(its settings name {type(theirs).__name__}); use a built-in one, or keep the "
                "weights with net.get_weights()"
            )
    if model is not None:
        from glassnet.model import Model

        try:
            Model.from_config(document["model"], rebuilt)
        except (ValueError, TypeError, KeyError) as error:
            raise refuse(f"its model settings cannot be rebuilt ({error})") from None


# ----- reading -----------------------------------------------------------------------------------
class _File:
    """An open model file whose header has been read and checked; the tensors are not read."""

    def __init__(self, where: str) -> None:
        self.where = where
        try:
            info = os.stat(where)
        except FileNotFoundError:
            raise ValueError(
                f"{where}: no such model file; train one with glassnet train"
            ) from None
        if stat.S_ISDIR(info.st_mode):
            raise ValueError(f"{where} is a folder, not a model file")
        if not stat.S_ISREG(info.st_mode):
            # a FIFO, a terminal or /dev/stdin: opening or reading it could wait forever
            self.refuse(
                "it is not a regular file (a pipe, FIFO or device); give the path of a "
                ".safetensors file"
            )
        self.size = info.st_size
        with open(where, "rb") as handle:
            self.header = self._read_header(handle)
        self.document, self.version = self._document()

    def refuse(self, problem: str) -> NoReturn:
        raise ValueError(f"{self.where} is not a glassnet model file: {problem}")

    def _read_header(self, handle: BinaryIO) -> dict[str, Any]:
        """The safetensors JSON header: the 8-byte length, then that many bytes, no more."""
        start = handle.read(8)
        if len(start) < 8:
            self.refuse(f"it is only {len(start)} bytes long (glassnet saves .safetensors files)")
        (length,) = struct.unpack("<Q", start)
        if length > HEADER_LIMIT:
            self.refuse("its first 8 bytes do not give a safetensors header length")
        if 8 + length > self.size:
            self.refuse(
                f"it is truncated: its header needs {8 + length} bytes but the file has "
                f"{self.size}; save the model again"
            )
        self.data_start = 8 + length
        first = handle.read(1)
        if first != b"{":
            self.refuse("it has no safetensors header (glassnet saves .safetensors files)")
        header = self._parse(first + handle.read(length - 1), "its safetensors header")
        try:
            _check(header, SAFETENSORS)
        except _Refused as error:
            self.refuse(f"its safetensors header: {error}")
        return header  # type: ignore[no-any-return]

    def _parse(self, raw: bytes, what: str) -> Any:
        try:
            return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        except RecursionError:
            self.refuse(f"{what} is nested too deeply")
        except (UnicodeDecodeError, ValueError) as error:  # ValueError: JSON, or a huge integer
            self.refuse(f"{what} is not valid JSON ({str(error).splitlines()[0]})")

    def _document(self) -> tuple[dict[str, Any], int]:
        metadata = self.header.get("__metadata__")
        if not isinstance(metadata, dict) or METADATA_KEY not in metadata:
            self.refuse(f"it is a safetensors file without a {METADATA_KEY!r} metadata entry")
        document = self._parse(metadata[METADATA_KEY], "its glassnet metadata")
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            self.refuse(f"its metadata does not say format {FORMAT!r}")
        version = document.get("format_version")
        if version not in READS_VERSIONS:
            self.refuse(
                f"it has model format version {version!r}; this glassnet reads versions "
                f"{', '.join(map(str, READS_VERSIONS))} (saved by glassnet "
                f"{document.get('glassnet_version', '?')!s:.40}); upgrade glassnet"
            )
        try:
            _check(document, DOCUMENT if version == FORMAT_VERSION else DOCUMENT_V1)
        except _Refused as error:
            self.refuse(str(error))
        return document, version

    def tensors(self) -> dict[str, np.ndarray]:
        """Every tensor, after checking its dtype, shape and place against the file."""
        data_size = self.size - self.data_start
        places: list[tuple[str, int, int, np.dtype[Any], tuple[int, ...]]] = []
        for name, entry in self.header.items():
            if name == "__metadata__":
                continue
            dtype = _TENSOR_DTYPES.get(entry.get("dtype"))
            if dtype is None or "dtype" not in entry:
                self.refuse(f"tensor {name!r} has dtype {entry.get('dtype')!r}, not F32 or F64")
            begin, end = entry["data_offsets"]
            if end > data_size:
                self.refuse(
                    f"it is truncated: tensor {name!r} ends at byte {end} of the data but only "
                    f"{data_size} bytes are there; save the model again"
                )
            if not 0 <= begin <= end or end - begin != math.prod(entry["shape"]) * dtype.itemsize:
                self.refuse(f"tensor {name!r} has offsets that do not fit its shape")
            places.append((name, begin, end, dtype, tuple(entry["shape"])))
        with open(self.where, "rb") as handle:
            handle.seek(self.data_start)
            data = handle.read(data_size)
        if len(data) != data_size:
            self.refuse("it changed while being read; try again")
        tensors = {}
        for name, begin, end, dtype, shape in places:
            values = np.frombuffer(data, dtype, (end - begin) // dtype.itemsize, begin)
            try:  # an empty shape of huge sides, (2**62, 2**62, 0), is none NumPy holds
                tensors[name] = values.reshape(shape).astype(dtype.newbyteorder("="))
            except ValueError:
                self.refuse(f"tensor {name!r} has a shape no array can have: {shape}")
        # the safetensors rule: the tensors fill the data, one after another, no gap and
        # no byte left over (a header length one byte short read every weight one byte
        # off, 1e94 … 1e236, and predict answered 1.5e-308)
        covered = 0
        for _, begin, end, _, _ in sorted(places, key=lambda place: (place[1], place[2])):
            if begin != covered:
                self.refuse(
                    f"its tensors {'overlap' if begin < covered else 'leave a gap'} at byte "
                    f"{covered} of the data; the file was changed, save the model again"
                )
            covered = end
        if covered != data_size:
            self.refuse(
                f"its data is {data_size} bytes but its tensors fill {covered}: the header "
                "length or the data was changed; save the model again"
            )
        return tensors


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON document in a model file's header (format and glassnet versions, network,
    model, optimizer, history ...), checked as ``load`` checks it; the tensors are not read."""
    return _File(os.fspath(path)).document


def load(path: str | os.PathLike[str]) -> Network | Model:
    """Read a model file that ``save`` wrote.

    Returns
    -------
    Network : for a file that holds only a network (``save(net)``).
    Model : for a file whose model configuration has anything (preprocessing, classes,
        task, target scaling), as ``glassnet train`` and the estimators save; a format-1
        file whose metadata holds a scaling or classes loads as a Model too.
    Either comes back with its optimizer (settings and state), seed stream and history, so
    ``fit`` goes on exactly as it would have on the saved object.

    Raises
    ------
    ValueError : one line naming the file, "PATH is not a glassnet model file: ..." when it
        is not a regular file, is truncated, is not safetensors, not a glassnet model, of
        another format version, has a field of the wrong JSON type, lacks or mis-shapes a
        tensor, holds non-finite weights, or names an unknown activation or cost.
    """
    file = _File(os.fspath(path))
    tensors = file.tensors()
    try:
        if file.version == 1:
            return _rebuild_v1(file, tensors)
        return _rebuild(file, tensors)
    except (ValueError, TypeError, KeyError) as error:
        # raised by a constructor given a setting it does not take: still this file's fault
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        if text.startswith(file.where):
            raise
        file.refuse(text)


def _weights(
    file: _File, tensors: dict[str, np.ndarray], shapes: list[tuple[int, int]]
) -> list[np.ndarray]:
    """``[W1, b1, W2, b2, ...]`` from the tensors, each checked for presence, shape and
    finiteness."""
    arrays = []
    for i, (n_in, n_out) in enumerate(shapes):
        for part, shape in (("weights", (n_in, n_out)), ("bias", (n_out,))):
            name = f"layer{i}.{part}"
            if name not in tensors:
                file.refuse(f"the tensor {name!r} is missing; save the model again")
            if tensors[name].shape != shape:
                file.refuse(
                    f"the tensor {name!r} has shape {tensors[name].shape}, but layer {i} needs "
                    f"{shape}"
                )
            if not np.all(np.isfinite(tensors[name])):
                file.refuse(
                    f"it has non-finite weights (NaN or infinity in {name!r}, as a diverged "
                    "training leaves); train again and save the model again"
                )
            arrays.append(tensors[name])
    return arrays


def _schedule(file: _File, saved: dict[str, Any]) -> Any:
    """The learning-rate schedule a file saved, continuing from its state."""
    from glassnet.schedules import get_schedule

    try:
        schedule = get_schedule(saved["config"])
        schedule.set_state(dict(saved["state"]))
    except (ValueError, TypeError) as error:
        file.refuse(f"schedule does not describe a glassnet schedule ({error})")
    return schedule


def _rebuild(file: _File, tensors: dict[str, np.ndarray]) -> Network | Model:
    document = file.document
    # the tensors first: a layer's size is believed only when the file holds its weights
    shapes = [(spec["n_in"], spec["n_out"]) for spec in document["network"]["layers"]]
    arrays = _weights(file, tensors, shapes)
    net = Network.from_config(document["network"])
    _set_weights(net, arrays)
    saved = document.get("optimizer")
    if saved is not None:
        from glassnet.optimizers import get_optimizer

        optimizer = get_optimizer(saved["config"])
        state: dict[str, Any] = dict(saved["state"])
        prefix = "optimizer."
        state.update({k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)})
        optimizer.set_state(state)
        net.optimizer = optimizer
    if document.get("schedule") is not None:
        net.schedule = _schedule(file, document["schedule"])
    if document.get("rng") is not None:
        net.rng = _generator(file, document["rng"])
    net.metadata = dict(document.get("metadata") or {})
    net.history = _history(file, document.get("history"))
    if document.get("model") is None:
        return net
    from glassnet.model import Model

    return Model.from_config(document["model"], net)


def _set_weights(net: Network, arrays: list[np.ndarray]) -> None:
    """Put the stored numbers in exactly (no cast through another dtype)."""
    for layer, weights, bias in zip(net.layers, arrays[::2], arrays[1::2], strict=True):
        layer.weights = weights
        layer.bias = bias


def _generator(file: _File, state: dict[str, Any]) -> np.random.Generator:
    """The seed stream from its stored bit-generator state."""
    name = state["bit_generator"]
    if name not in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"):
        file.refuse(f"rng.bit_generator is {name[:40]!r}, not one of NumPy's bit generators")
    # NumPy takes a read position it later indexes with, unchecked: a hostile one reads
    # outside the generator's buffer (an MT19937 pos of 10**6 crashed the process)
    inner = state.get("state")
    places = [
        (inner.get("pos") if name == "MT19937" and isinstance(inner, dict) else 0, 624, "pos"),
        (state.get("buffer_pos", 0), 4, "buffer_pos"),
        (state.get("has_uint32", 0), 1, "has_uint32"),
    ]
    for value, most, key in places:
        if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= most):
            file.refuse(f"rng.state's {key} must be a whole number from 0 to {most}")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        file.refuse(f"rng.state does not fit {name} ({error})")
    return np.random.Generator(bit_generator)


def _history(file: _File, saved: dict[str, Any] | None) -> History | None:
    if saved is None:
        return None
    epochs = saved["epoch"]
    for key, values in saved["values"].items():
        if len(values) != len(epochs):
            file.refuse(f"history.values.{key} has {len(values)} values for {len(epochs)} epochs")
    history = History()
    history.epoch = list(epochs)
    history.history = {
        key: [math.nan if v is None else float(v) for v in values]
        for key, values in saved["values"].items()
    }
    history.stopped_early = saved.get("stopped_early", False)
    history.interrupted = saved.get("interrupted", False)
    return history


def _rebuild_v1(file: _File, tensors: dict[str, np.ndarray]) -> Network | Model:
    """A round-1 file: layers by activation name, ``metadata`` with the scalings and classes."""
    document = file.document
    specs = document["layers"]
    shapes = [(spec["n_in"], spec["n_out"]) for spec in specs]
    arrays = _weights(file, tensors, shapes)
    layers = [
        Dense(
            spec["n_in"],
            spec["n_out"],
            activation=spec["activation"],
            weights=weights,
            bias=bias,
            dropout=spec.get("dropout", 0.0),
            l2=spec.get("l2", 0.0),
        )
        for spec, weights, bias in zip(specs, arrays[::2], arrays[1::2], strict=True)
    ]
    net = Network(layers, cost=document["cost"], dtype=document.get("dtype", "float64"))
    _set_weights(net, arrays)
    meta = dict(document.get("metadata") or {})
    net.metadata = meta
    net.history = _history(file, document.get("history"))
    if not (meta.get("scaler") or meta.get("target_scaler") or meta.get("classes")):
        return net
    return _model_v1(file, net, meta)


def _model_v1(file: _File, net: Network, meta: dict[str, Any]) -> Model:
    """The Model a round-1 file's metadata describes: the input scaling as a Preprocessor of
    numeric columns, the target scaling and the class labels."""
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

    names = meta.get("feature_names") or [f"x{i + 1}" for i in range(net.n_inputs)]
    scaler = meta.get("scaler") or {"mean": [0.0] * net.n_inputs, "scale": [1.0] * net.n_inputs}
    if not len(names) == len(scaler["mean"]) == len(scaler["scale"]) == net.n_inputs:
        file.refuse(
            f"its metadata names {len(names)} features and has {len(scaler['mean'])} means and "
            f"{len(scaler['scale'])} scales, but the network has {net.n_inputs} inputs"
        )
    preprocessor = Preprocessor.from_config(
        {
            "columns": [
                # round 1 refused missing cells, so the median is never used: the mean stands in
                {
                    "name": name,
                    "role": "numeric",
                    "median": mean,
                    "mean": mean,
                    "scale": scale,
                    "missing_indicator": False,
                }
                for name, mean, scale in zip(names, scaler["mean"], scaler["scale"], strict=True)
            ],
            "na_values": [],
        }
    )
    classes = meta.get("classes")
    target_scaler = meta.get("target_scaler") or {}
    return Model(
        net,
        preprocessor,
        task=meta.get("task") or ("classification" if classes else "regression"),
        target=meta.get("target_name"),
        classes=classes,
        target_mean=target_scaler.get("mean"),
        target_scale=target_scaler.get("scale"),
    )
