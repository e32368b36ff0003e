"""Model files: weights as safetensors tensors, everything else as JSON in the header.

A glassnet model file is a plain safetensors file (readable by any safetensors library):
tensors ``layer0.weights``, ``layer0.bias``, ``layer1.weights``, ... and one header
metadata entry, ``"glassnet"``, holding a JSON document with the format version, the
glassnet version, the architecture (each layer's ``n_in``, ``n_out``, activation, dropout,
l2), the cost, the dtype, ``net.metadata`` (feature and target names, classes, task,
scaler) and the training history. Nothing in it is executed when loading, and no pickle is
used anywhere.

``save`` writes a temporary file in the same folder and renames it over the target, so an
existing model file is either the old one or the new one, never half written.
"""

from __future__ import annotations

import json
import math
import os
import stat
import struct
import tempfile
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

from glassnet import __version__
from glassnet.layers import Dense
from glassnet.network import Network
from glassnet.training import History

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
METADATA_KEY = "glassnet"
_HEADER_LIMIT = 100_000_000  # safetensors' own limit on the JSON header


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


def describe(net: Network) -> dict[str, Any]:
    """The JSON document stored in a model file's header for ``net``."""
    # the package's version; the package itself is always imported before its modules
    version = __version__
    history = net.history
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "glassnet_version": version,
        "cost": net.cost_function.name,
        "dtype": net.dtype.name,
        "layers": [
            {
                "n_in": layer.n_in,
                "n_out": layer.n_out,
                "activation": layer.activation.name,
                "dropout": layer.dropout,
                "l2": layer.l2,
            }
            for layer in net.layers
        ],
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


def check_writable(path: str | os.PathLike[str]) -> str:
    """Return ``path`` as a string after checking a file can be created there.

    Raises
    ------
    ValueError : the folder does not exist, or ``path`` is a folder.
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write {target}: the folder {folder} does not exist")
    if os.path.isdir(target):
        raise ValueError(f"cannot write {target}: it is a folder; give a file name")
    return target


def write_atomically(
    path: str | os.PathLike[str], content: bytes | Callable[[BinaryIO], None]
) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and a rename.

    ``content`` is the bytes, or a function that writes them to the binary file it is given.
    ``path`` holds either its old content or all of the new, never half of it: an error or
    Ctrl-C while writing leaves the old file as it was. A replaced file keeps its
    permissions; a new one gets the usual ones (0666 less the umask).
    """
    target = check_writable(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.",
        suffix=".tmp",
        dir=os.path.dirname(os.path.abspath(target)),
    )
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        os.fchmod(handle, _mode_for(target))
        with os.fdopen(handle, "wb") as out:
            if isinstance(content, bytes):
                out.write(content)
            else:
                content(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        # drop the half-written temporary file, whatever stopped the write
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _mode_for(target: str) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def network_of(model: object, action: str) -> Network:
    """``model`` when it is a ``Network``, else a fitted estimator's ``network_``.

    ``action`` names the caller in the error ("save", "export").

    Raises
    ------
    ValueError : ``model`` is an estimator that is not fitted yet.
    TypeError : ``model`` is neither a Network nor an estimator with a ``network_``.
    """
    if isinstance(model, Network):
        return model
    fitted = getattr(model, "network_", None)
    if isinstance(fitted, Network):
        return fitted
    name = type(model).__name__
    if hasattr(model, "get_params"):  # a scikit-learn estimator, before its first fit
        raise ValueError(f"{action} needs a fitted {name}: call fit first (it has no network_)")
    raise TypeError(
        f"{action} needs a glassnet Network or a fitted GlassClassifier/GlassRegressor; got {name}"
    )


def save(model: object, path: str | os.PathLike[str]) -> None:
    """Write a network to ``path`` as a safetensors model file, atomically.

    Parameters
    ----------
    model : a ``Network``, or a fitted ``GlassClassifier`` / ``GlassRegressor`` (anything
        with a ``network_``), whose ``network_`` is saved: ``load`` gives it back.
    path : the file to write (``.safetensors``).

    Raises
    ------
    TypeError : ``model`` is neither (ValueError when it is an estimator not yet fitted).
    ValueError : the folder does not exist, or ``path`` is a folder.
    OSError : the file cannot be written (the old file, if any, is left as it was).
    """
    from safetensors.numpy import save as to_bytes

    net = network_of(model, "save")
    tensors = {}
    for i, layer in enumerate(net.layers):
        tensors[f"layer{i}.weights"] = np.ascontiguousarray(layer.weights)
        tensors[f"layer{i}.bias"] = np.ascontiguousarray(layer.bias)
    header = json.dumps(describe(net), ensure_ascii=False, allow_nan=False)
    write_atomically(path, to_bytes(tensors, metadata={METADATA_KEY: header}))


def _header(raw: bytes, where: str) -> dict[str, Any]:
    """The safetensors JSON header of ``raw``, checked against the file's length."""
    not_safetensors = f"{where} is not a safetensors model file (glassnet saves .safetensors)"
    if len(raw) < 8:
        raise ValueError(f"{not_safetensors}: it is only {len(raw)} bytes long")
    (size,) = struct.unpack("<Q", raw[:8])
    if size > _HEADER_LIMIT:
        raise ValueError(not_safetensors)
    if 8 + size > len(raw):
        raise ValueError(
            f"{where} is truncated: its header needs {8 + size} bytes but the file has "
            f"{len(raw)}; save the model again"
        )
    try:
        header = json.loads(raw[8 : 8 + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(not_safetensors) from None
    if not isinstance(header, dict):
        raise ValueError(not_safetensors)
    data_size = len(raw) - 8 - size
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        if not (isinstance(offsets, list) and len(offsets) == 2):
            raise ValueError(f"{not_safetensors}: tensor {name!r} has no data offsets")
        if offsets[1] > data_size:
            raise ValueError(
                f"{where} is truncated: tensor {name!r} ends at byte {offsets[1]} of the data "
                f"but only {data_size} bytes are there; save the model again"
            )
    return header


def _read(path: str | os.PathLike[str]) -> tuple[bytes, dict[str, Any], str]:
    """The file's bytes and its checked glassnet document."""
    where = os.fspath(path)
    if not os.path.exists(where):
        raise ValueError(f"{where}: no such model file; train one with glassnet train")
    if os.path.isdir(where):
        raise ValueError(f"{where} is a folder, not a model file")
    with open(where, "rb") as handle:
        raw = handle.read()
    header = _header(raw, where)
    metadata = header.get("__metadata__") or {}
    document_text = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if document_text is None:
        raise ValueError(
            f"{where} is a safetensors file but not a glassnet model (no {METADATA_KEY!r} "
            "entry in its metadata)"
        )
    try:
        document = json.loads(document_text)
    except json.JSONDecodeError:
        raise ValueError(f"{where}: the glassnet metadata is not valid JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{where} is a safetensors file but not a glassnet model")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{where} has model format version {version!r}; this glassnet reads version "
            f"{FORMAT_VERSION} (saved by glassnet {document.get('glassnet_version', '?')})"
        )
    return raw, document, where


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON document in a model file's header (format and glassnet versions, layers,
    cost, metadata, history), checked as ``load`` checks it."""
    return _read(path)[1]


def load(path: str | os.PathLike[str]) -> Network:
    """Read a model file that ``save`` wrote; returns the ``Network`` with its metadata.

    Raises
    ------
    ValueError : one line naming the file when it is missing, truncated, not safetensors,
        not a glassnet model, of another format version, lacks or mis-shapes a tensor, holds
        non-finite weights, names an unknown activation or cost, or has metadata that
        contradicts its tensors (classes vs output units, feature names and scaler vs
        inputs, a scaling that is not finite).
    """
    from safetensors.numpy import load as from_bytes

    raw, document, where = _read(path)
    try:
        tensors = from_bytes(raw)
    except Exception as error:  # safetensors raises its own error type
        raise ValueError(f"{where}: the tensors cannot be read ({error})") from None
    try:
        net = _rebuild(document, tensors, where)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"{where}: the glassnet metadata is incomplete ({error}); save the model again"
        ) from None
    _check_metadata(net, where)
    return net


def _rebuild(document: dict[str, Any], tensors: dict[str, Any], where: str) -> Network:
    """The ``Network`` described by ``document`` with the weights in ``tensors``."""
    layers = []
    for i, spec in enumerate(document["layers"]):
        shapes = {"weights": (spec["n_in"], spec["n_out"]), "bias": (spec["n_out"],)}
        arrays = {}
        for part, shape in shapes.items():
            name = f"layer{i}.{part}"
            if name not in tensors:
                raise ValueError(f"{where}: the tensor {name!r} is missing; save the model again")
            if tensors[name].shape != shape:
                raise ValueError(
                    f"{where}: the tensor {name!r} has shape {tensors[name].shape}, but layer "
                    f"{i} needs {shape}"
                )
            if not np.all(np.isfinite(tensors[name])):
                raise ValueError(
                    f"{where}: the file has non-finite weights (NaN or infinity in {name!r}, "
                    "as a diverged training leaves); train again and save the model again"
                )
            arrays[part] = tensors[name]
        try:
            layer = Dense(
                spec["n_in"],
                spec["n_out"],
                activation=spec["activation"],
                weights=arrays["weights"],
                bias=arrays["bias"],
                dropout=spec.get("dropout", 0.0),
                l2=spec.get("l2", 0.0),
            )
        except ValueError as error:  # e.g. an activation this glassnet does not know
            raise ValueError(f"{where}: layer {i}: {error}") from None
        layers.append(layer)
    try:
        net = Network(layers, cost=document["cost"], dtype=document.get("dtype", "float64"))
    except ValueError as error:  # an unknown cost or dtype, or layers that do not chain
        raise ValueError(f"{where}: {error}") from None
    for layer, i in zip(net.layers, range(len(layers)), strict=True):
        # the constructor casts through float64; put back the stored numbers exactly
        layer.weights = tensors[f"layer{i}.weights"]
        layer.bias = tensors[f"layer{i}.bias"]
    net.metadata = dict(document.get("metadata") or {})
    saved = document.get("history")
    if saved:
        history = History()
        values = saved.get("values", {})
        for j, epoch in enumerate(saved.get("epoch", [])):
            history.record(
                epoch,
                {k: (math.nan if v[j] is None else v[j]) for k, v in values.items() if j < len(v)},
            )
        history.stopped_early = bool(saved.get("stopped_early", False))
        history.interrupted = bool(saved.get("interrupted", False))
        net.history = history
    return net


def _check_metadata(net: Network, where: str) -> None:
    """Raise a one-line ValueError naming ``where`` when ``net.metadata`` contradicts the
    network: its classes, feature names or scalings do not fit the layers' sizes."""

    def bad(problem: str) -> ValueError:
        return ValueError(f"{where}: {problem}; save the model again")

    meta = net.metadata
    names = meta.get("feature_names")
    if names is not None and (not isinstance(names, list) or len(names) != net.n_inputs):
        count = len(names) if isinstance(names, list) else repr(names)
        raise bad(f"its metadata names {count} features but the network has {net.n_inputs} inputs")
    classes = meta.get("classes")
    if classes:
        last, n_out = net.layers[-1].activation.name, net.n_outputs
        # two classes: one sigmoid output (p of the second); k > 2: k softmax outputs (or,
        # for a multilabel estimator, one sigmoid output per label)
        fits = isinstance(classes, list) and len(classes) == max(2, n_out)
        if not (fits and last in (("sigmoid",) if n_out == 1 else ("softmax", "sigmoid"))):
            count = len(classes) if isinstance(classes, list) else repr(classes)
            raise bad(
                f"its metadata lists {count} classes but the network has {n_out} {last} "
                "output unit(s) (2 classes need 1 sigmoid output, k > 2 classes k softmax "
                "outputs)"
            )
    _check_scaling(meta, "scaler", (net.n_inputs,), "inputs", bad)
    _check_scaling(meta, "target_scaler", (1, net.n_outputs), "outputs", bad)


def _check_scaling(
    meta: dict[str, Any],
    key: str,
    sizes: tuple[int, ...],
    what: str,
    bad: Callable[[str], ValueError],
) -> None:
    """Check ``meta[key]`` (if any): ``{"mean": [...], "scale": [...]}``, as many values as
    one of ``sizes``, finite, and (for the input scaler, which divides) scales > 0."""
    scaling = meta.get(key)
    if not scaling:
        return
    try:
        mean = np.asarray(scaling["mean"], dtype=np.float64)
        scale = np.asarray(scaling["scale"], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        raise bad(f"its {key} must hold a list 'mean' and a list 'scale' of numbers") from None
    if mean.ndim != 1 or mean.shape != scale.shape or len(mean) not in sizes:
        raise bad(
            f"its {key} has {mean.size} means and {scale.size} scales but the network has "
            f"{sizes[-1]} {what}"
        )
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(scale))):
        raise bad(f"its {key} has a mean or scale that is not a finite number")
    if key == "scaler" and not np.all(scale > 0):
        j = int(np.flatnonzero(~(scale > 0))[0])
        raise bad(f"its scaler divides input {j + 1} by {float(scale[j])!r}; scales must be > 0")
