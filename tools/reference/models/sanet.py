"""SA-ResNet-50 (shuffle attention) as in wofmanaf/SA-Net (`models/sa_resnet.py`).

Skeleton = `resnet.ResNet` (same stem, stages, downsample and head as the official
ResNet class, which is torchvision's). Each bottleneck gets an `sa` module, registered
after `bn3` and BEFORE `relu` and `downsample`, applied to `bn3`'s output before the
residual add. With G groups and C channels, c = C / (2G):

    view (B, C, H, W) as (B*G, 2c, H, W), split into halves x0, x1 of c channels
    channel half:  x0 * sigmoid(cweight * avgpool(x0) + cbias)
    spatial half:  x1 * sigmoid(sweight * gn(x1) + sbias),   gn = GroupNorm(c, c, eps 1e-5)
    concat [x0', x1'] -> view (B, C, H, W) -> channel shuffle with 2 groups
                         (view (B, 2, C/2, H, W), swap axes 1 and 2, flatten)

cweight, cbias, sweight, sbias are Parameters of shape (1, c, 1, 1), shared by all G
groups; in the state_dict they come before `gn.weight`, `gn.bias` (a module's own
parameters precede its children's).
"""
import torch
from torch import nn

from .resnet import EXPANSION, ResNet


class SALayer(nn.Module):
    def __init__(self, channel, groups=64):
        super().__init__()
        c = channel // (2 * groups)
        self.groups = groups
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.cweight = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.cbias = nn.Parameter(torch.ones(1, c, 1, 1))
        self.sweight = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.sbias = nn.Parameter(torch.ones(1, c, 1, 1))
        self.sigmoid = nn.Sigmoid()
        self.gn = nn.GroupNorm(c, c)

    @staticmethod
    def channel_shuffle(x, groups):
        n, c, h, w = x.shape
        return x.reshape(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)

    def forward(self, x):
        n, c, h, w = x.shape
        x = x.reshape(n * self.groups, c // self.groups, h, w)
        x0, x1 = x.chunk(2, dim=1)
        xc = x0 * self.sigmoid(self.cweight * self.avg_pool(x0) + self.cbias)
        xs = x1 * self.sigmoid(self.sweight * self.gn(x1) + self.sbias)
        y = torch.cat([xc, xs], dim=1).reshape(n, c, h, w)
        return self.channel_shuffle(y, 2)


class SABottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=64):
        super().__init__()
        out = planes * EXPANSION
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.sa = SALayer(out, groups)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.sa(self.bn3(self.conv3(y)))
        return self.relu(y + identity)


def sa_resnet50(layers=(3, 4, 6, 3), width=64, num_classes=1000, groups=64):
    """SA-ResNet-50 (wofmanaf/SA-Net `sa_resnet50`); defaults = the real network.

    Config keys: layers (4 block counts), width (stem width; stage planes width << i,
    block outputs C = 4 * planes), num_classes, groups (shuffle-attention group count G,
    the same in every stage; the official SABottleneck always uses sa_layer's default 64).
    Constraint: C must be divisible by 2 * G in every stage; checked at the first stage
    (C = 4 * width), i.e. 2 * width % groups == 0 (width 16 allows groups <= 32 dividing 32).
    """
    if groups < 1 or (4 * width) % (2 * groups):
        raise ValueError(f"sa_resnet50 needs 4 * width divisible by 2 * groups "
                         f"(width {width}, groups {groups})")
    kwargs = [{"groups": groups}] * 4
    return ResNet(list(layers), width, num_classes, block=SABottleneck, stage_kwargs=kwargs)
