"""Model registry: build(name, config) -> torch.nn.Module.

To add a network, put it in its own file (e.g. models/senet.py) as a function
taking its config keys as keyword arguments, and add one line to MODELS.
"""
import inspect

from . import custom, ecanet, epsanet, resnet, sanet, senet, van

MODELS = {
    "resnet50": resnet.resnet50,
    "se_resnet50": senet.se_resnet50,
    "eca_resnet50": ecanet.eca_resnet50,
    "epsanet50": epsanet.epsanet50,
    "epsanet101": epsanet.epsanet101,
    "sa_resnet50": sanet.sa_resnet50,
    "van_b0": van.van_b0,
    "van_b1": van.van_b1,
    "van_b2": van.van_b2,
    # Not a zoo network: the user-defined network of Kiln's mixed-family test.
    "custom_eca_van": custom.custom_eca_van,
}


def build(name, config=None):
    if name not in MODELS:
        raise SystemExit(f"unknown model {name!r}; known: {', '.join(sorted(MODELS))}")
    config = config or {}
    try:
        inspect.signature(MODELS[name]).bind(**config)
    except TypeError as e:
        raise SystemExit(f"bad config for {name}: {config} ({e})")
    try:
        return MODELS[name](**config)
    except ValueError as e:
        raise SystemExit(f"bad config for {name}: {config} ({e})")
