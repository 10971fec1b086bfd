"""SE-ResNet-50 as in moskomule/senet.pytorch (`senet/se_resnet.py`, `senet/se_module.py`).

The official model is torchvision's `ResNet` with `SEBottleneck` blocks, so the skeleton
(stem, stages, downsample, head) is `resnet.ResNet`. Each bottleneck gets an `se` module
(registered after `relu`, before `downsample`) applied to `bn3`'s output before the
residual add:

    se.avg_pool  global average pool -> (B, C)
    se.fc.0      Linear(C, C // reduction, bias=False)
    se.fc.1      ReLU
    se.fc.2      Linear(C // reduction, C, bias=False)
    se.fc.3      Sigmoid                     -> scale each channel of the input
"""
from torch import nn

from .resnet import EXPANSION, ResNet


class SELayer(nn.Module):
    def __init__(self, channel, reduction=16):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        hidden = channel // reduction
        self.fc = nn.Sequential(nn.Linear(channel, hidden, bias=False), nn.ReLU(inplace=True),
                                nn.Linear(hidden, channel, bias=False), nn.Sigmoid())

    def forward(self, x):
        n, c = x.shape[:2]
        gate = self.fc(self.avg_pool(x).view(n, c)).view(n, c, 1, 1)
        return x * gate


class SEBottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None, reduction=16):
        super().__init__()
        out = planes * EXPANSION
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.se = SELayer(out, reduction)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.se(self.bn3(self.conv3(y)))
        return self.relu(y + identity)


def se_resnet50(layers=(3, 4, 6, 3), width=64, num_classes=1000, reduction=16):
    """SE-ResNet-50 (moskomule/senet.pytorch `se_resnet50`); defaults = the real network.

    Config keys: layers (4 block counts), width (stem width; stage planes width << i,
    block outputs 4 * planes), num_classes, reduction (SE squeeze ratio; the official
    SEBottleneck's `reduction` argument, 16 in the released model).
    Constraint: the smallest SE hidden width, 4 * width // reduction, must be >= 1,
    i.e. 4 * width >= reduction.
    """
    if 4 * width // reduction < 1:
        raise ValueError(f"se_resnet50 needs 4 * width >= reduction (width {width}, "
                         f"reduction {reduction})")
    kwargs = [{"reduction": reduction}] * 4
    return ResNet(list(layers), width, num_classes, block=SEBottleneck, stage_kwargs=kwargs)
