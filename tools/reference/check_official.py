"""One-off check: models/resnet.py == torchvision's ResNet-50 (keys, order, shapes, outputs).

    python3 check_official.py
"""
import sys

import torch
import torchvision
from torchvision.models.resnet import Bottleneck, ResNet

import seeded
from models import build


def check(name, ours, official, shape):
    a, b = ours.state_dict(), official.state_dict()
    assert list(a) == list(b), f"{name}: key order differs"
    for k in a:
        assert a[k].shape == b[k].shape and a[k].dtype == b[k].dtype, f"{name}: {k} differs"
    sd = {k: torch.from_numpy(v) for k, v in seeded.state_dict(ours, 1).items()}
    ours.load_state_dict(sd, strict=True)
    official.load_state_dict(sd, strict=True)
    x = torch.from_numpy(seeded.input_tensor(shape, 2))
    with torch.inference_mode():
        ya, yb = ours.eval()(x), official.eval()(x)
    diff = (ya - yb).abs().max().item()
    print(f"{name}: {len(a)} keys identical in order and shape; input {shape}: "
          f"outputs bit-identical={torch.equal(ya, yb)} max|diff|={diff:.3g}")
    return torch.equal(ya, yb)


if __name__ == "__main__":
    torch.manual_seed(0)
    ok = check("resnet50", build("resnet50"), torchvision.models.resnet50(), [1, 3, 224, 224])
    ok &= check("resnet layers=[1,1,1,1] classes=10",
                build("resnet50", {"layers": [1, 1, 1, 1], "num_classes": 10}),
                ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10), [2, 3, 64, 64])
    print("torch", torch.__version__, "torchvision", torchvision.__version__)
    sys.exit(0 if ok else 1)
