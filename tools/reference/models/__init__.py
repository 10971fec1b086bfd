"""Model registry: build(name, config) -> torch.nn.Module.

To add a network, put it in its own file (e.g. models/se_resnet.py) as a function
taking its config keys as keyword arguments, and add one line to MODELS.
"""
import inspect

from . import resnet

MODELS = {
    "resnet50": resnet.resnet50,
}


def build(name, config=None):
    if name not in MODELS:
        raise SystemExit(f"unknown model {name!r}; known: {', '.join(sorted(MODELS))}")
    config = config or {}
    try:
        inspect.signature(MODELS[name]).bind(**config)
    except TypeError as e:
        raise SystemExit(f"bad config for {name}: {config} ({e})")
    return MODELS[name](**config)
