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


def save(net: Network, path: str | os.PathLike[str]) -> None:
    """Write ``net`` to ``path`` as a safetensors model file, atomically.

    Raises
    ------
    ValueError : the folder does not exist, or ``path`` is a folder.
    OSError : the file cannot be written (the old file, if any, is left as it was).
    """
    from safetensors.numpy import save as to_bytes

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
    ValueError : one clear line when the file is missing, truncated, not safetensors, not a
        glassnet model, of another format version, or lacks or mis-shapes a tensor.
    """
    from safetensors.numpy import load as from_bytes

    raw, document, where = _read(path)
    try:
        tensors = from_bytes(raw)
    except Exception as error:  # safetensors raises its own error type
        raise ValueError(f"{where}: the tensors cannot be read ({error})") from None
    try:
        return _rebuild(document, tensors, where)
    except (KeyError, TypeError) as error:
        raise ValueError(f"{where}: the glassnet metadata is incomplete ({error})") from None


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
            arrays[part] = tensors[name]
        layers.append(
            Dense(
                spec["n_in"],
                spec["n_out"],
                activation=spec["activation"],
                weights=arrays["weights"],
                bias=arrays["bias"],
                dropout=spec.get("dropout", 0.0),
                l2=spec.get("l2", 0.0),
            )
        )
    net = Network(layers, cost=document["cost"], dtype=document.get("dtype", "float64"))
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
