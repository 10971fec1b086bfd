"""EPSANet-50/101 as in murufeng/EPSANet (`models/epsanet.py`, `models/SE_weight_module.py`).

Skeleton = `resnet.ResNet` (same stem, stages, downsample and head as the official
EPSANet class). `EPSABlock` is a bottleneck whose 3x3 conv is replaced by a PSA module,
still named `conv2`:

    conv2.conv_1..conv_4  Conv2d(planes, planes // 4, k_j, padding k_j // 2, stride,
                          groups g_j, bias=False), k = [3, 5, 7, 9], g = [1, 4, 8, 16]
    conv2.se              ONE SEWeightModule shared by the four branches:
                          avg_pool -> fc1 Conv2d(planes//4, planes//4//16, 1, bias) -> relu
                          -> fc2 Conv2d(planes//4//16, planes//4, 1, bias) -> sigmoid
    conv2.softmax         softmax over the 4 branches (per channel) of the SE scores
    output                branch_j * weight_j, concatenated in REVERSED order
                          [b4, b3, b2, b1] (the official loop prepends)

The official EPSABlock registers no attention module of its own (no `se` attribute on
the block); the keys are `layerX.Y.conv2.conv_1.weight`, ..., `layerX.Y.conv2.se.fc2.bias`.
"""
import torch
from torch import nn

from .resnet import EXPANSION, ResNet


class SEWeightModule(nn.Module):
    def __init__(self, channels, reduction=16):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):  # returns the (B, C, 1, 1) weights, not x scaled
        return self.sigmoid(self.fc2(self.relu(self.fc1(self.avg_pool(x)))))


class PSAModule(nn.Module):
    def __init__(self, inplanes, planes, conv_kernels=(3, 5, 7, 9), stride=1,
                 conv_groups=(1, 4, 8, 16), reduction=16):
        super().__init__()
        split = planes // 4
        for j, (k, g) in enumerate(zip(conv_kernels, conv_groups)):
            setattr(self, f"conv_{j + 1}", nn.Conv2d(inplanes, split, k, stride=stride,
                                                     padding=k // 2, groups=g, bias=False))
        self.se = SEWeightModule(split, reduction)
        self.split_channel = split
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        branches = [self.conv_1(x), self.conv_2(x), self.conv_3(x), self.conv_4(x)]
        n, c = x.shape[0], self.split_channel
        scores = torch.cat([self.se(b) for b in branches], dim=1).view(n, 4, c, 1, 1)
        weights = self.softmax(scores)  # over the branch axis
        feats = torch.cat(branches, dim=1).view(n, 4, c, *branches[0].shape[2:])
        weighted = feats * weights
        return torch.cat([weighted[:, j] for j in (3, 2, 1, 0)], dim=1)


class EPSABlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None, conv_kernels=(3, 5, 7, 9),
                 conv_groups=(1, 4, 8, 16), reduction=16):
        super().__init__()
        out = planes * EXPANSION
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = PSAModule(planes, planes, conv_kernels, stride, conv_groups, reduction)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return self.relu(y + identity)


def _epsanet(layers, width, num_classes, conv_kernels, conv_groups, reduction):
    conv_kernels, conv_groups = [int(k) for k in conv_kernels], [int(g) for g in conv_groups]
    if len(conv_kernels) != 4 or any(k < 1 or k % 2 == 0 for k in conv_kernels):
        raise ValueError(f"conv_kernels must be 4 odd kernel sizes, got {conv_kernels}")
    if len(conv_groups) != 4 or width % 4:
        raise ValueError(f"need 4 conv_groups and width % 4 == 0 (got {conv_groups}, {width})")
    if any(g < 1 or width % g or (width // 4) % g for g in conv_groups):
        raise ValueError(f"every conv group count must divide width and width / 4 "
                         f"(width {width}, conv_groups {conv_groups})")
    if width // 4 // reduction < 1:
        raise ValueError(f"SE hidden width width / 4 // reduction must be >= 1 "
                         f"(width {width}, reduction {reduction})")
    kwargs = [{"conv_kernels": conv_kernels, "conv_groups": conv_groups,
               "reduction": reduction}] * 4
    return ResNet(list(layers), width, num_classes, block=EPSABlock, stage_kwargs=kwargs)


def epsanet50(layers=(3, 4, 6, 3), width=64, num_classes=1000, conv_kernels=(3, 5, 7, 9),
              conv_groups=(1, 4, 8, 16), reduction=16):
    """EPSANet-50 "small" (murufeng/EPSANet `epsanet50`); defaults = the real network.

    Config keys: layers (4 block counts), width (stem width; stage planes width << i,
    block outputs 4 * planes), num_classes, conv_kernels / conv_groups (kernel size and
    group count of the four PSA branches, the same in every stage), reduction (squeeze
    ratio of the shared SEWeightModule, 16 in the official code).
    Constraints (checked at the first stage, planes = width; later stages double it):
    width % 4 == 0; every conv group count divides width and width / 4; kernels odd;
    width / 4 // reduction >= 1 (so with reduction 16, width >= 64: a reduced-width
    variant needs a smaller reduction, e.g. width 16 with conv_groups [1,2,4,4] and
    reduction 4).
    """
    return _epsanet(layers, width, num_classes, conv_kernels, conv_groups, reduction)


def epsanet101(layers=(3, 4, 23, 3), width=64, num_classes=1000, conv_kernels=(3, 5, 7, 9),
               conv_groups=(1, 4, 8, 16), reduction=16):
    """EPSANet-101 "small" (murufeng/EPSANet `epsanet101`): epsanet50 with depths
    [3, 4, 23, 3]. Same config keys and constraints as epsanet50."""
    return _epsanet(layers, width, num_classes, conv_kernels, conv_groups, reduction)
