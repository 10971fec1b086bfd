"""ECA-ResNet-50 as in BangguWu/ECANet (`models/eca_resnet.py`, `models/eca_module.py`).

Skeleton = `resnet.ResNet` (the official ResNet class has the same stem, stages,
downsample and head; `eca_resnet50` swaps its AvgPool2d(7) for AdaptiveAvgPool2d(1)).
Each bottleneck gets an `eca` module (registered after `relu`, before `downsample`)
applied to `bn3`'s output before the residual add:

    eca.avg_pool  global average pool -> (B, C, 1, 1) -> viewed as (B, 1, C)
    eca.conv      Conv1d(1, 1, k, padding=(k - 1) // 2, bias=False) along the channel
                  axis (zero padding at both ends)
    eca.sigmoid   -> scale each channel of the input

k is per stage. The official `eca_resnet50` defaults to k = [3, 3, 3, 3], but the released
ImageNet checkpoint was trained with `--ksize 3557`, i.e. k = [3, 5, 5, 7]; the zoo's
`eca_resnet50` uses [3, 5, 5, 7].
"""
from torch import nn

from .resnet import EXPANSION, ResNet


class ECALayer(nn.Module):
    def __init__(self, channel, k_size=3):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv = nn.Conv1d(1, 1, k_size, padding=(k_size - 1) // 2, bias=False)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        # (B, C, 1, 1) -> (B, 1, C): the channels as a 1-D signal. Done with squeeze and
        # transpose like the official code, not a view: for batch 1 and k >= 5 PyTorch's
        # conv1d sums in another order on the two stride patterns (~1e-7 differences).
        y = self.avg_pool(x).squeeze(-1).transpose(-1, -2)
        y = self.conv(y).transpose(-1, -2).unsqueeze(-1)
        return x * self.sigmoid(y)


class ECABottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None, k_size=3):
        super().__init__()
        out = planes * EXPANSION
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.eca = ECALayer(out, k_size)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.eca(self.bn3(self.conv3(y)))
        return self.relu(y + identity)


def eca_resnet50(layers=(3, 4, 6, 3), width=64, num_classes=1000, k_sizes=(3, 5, 5, 7)):
    """ECA-ResNet-50 (BangguWu/ECANet `eca_resnet50(k_size=[3,5,5,7])`, the released
    checkpoint's kernel sizes); defaults = the real network.

    Config keys: layers (4 block counts), width (stem width; stage planes width << i,
    block outputs 4 * planes), num_classes, k_sizes (ECA Conv1d kernel size per stage).
    Constraint: every k must be odd (padding (k - 1) // 2 keeps the channel count only
    for odd k; the official code breaks on even k too).
    """
    k_sizes = [int(k) for k in k_sizes]
    if len(k_sizes) != 4 or any(k < 1 or k % 2 == 0 for k in k_sizes):
        raise ValueError(f"k_sizes must be 4 odd kernel sizes, got {k_sizes}")
    kwargs = [{"k_size": k} for k in k_sizes]
    return ResNet(list(layers), width, num_classes, block=ECABottleneck, stage_kwargs=kwargs)
