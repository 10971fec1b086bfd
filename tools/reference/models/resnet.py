"""ResNet with Bottleneck blocks (v1.5: stride on the 3x3 conv).

Attribute names, registration order and shapes match torchvision.models.resnet,
so state_dict keys are interchangeable with torchvision's for width 64.

`ResNet` is also the skeleton of the attention ResNets (senet.py, ecanet.py,
epsanet.py, sanet.py): they pass their own bottleneck class as `block`, called as
`block(inplanes, planes, stride, downsample, **stage_kwargs[i])` with
`planes = width << i` and 4x expansion, like torchvision's `_make_layer`.
"""
import torch
from torch import nn

EXPANSION = 4


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * EXPANSION)
        self.bn3 = nn.BatchNorm2d(planes * EXPANSION)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


def make_stage(inplanes, planes, blocks, stride, block=Bottleneck, **block_kwargs):
    downsample = None
    if stride != 1 or inplanes != planes * EXPANSION:
        downsample = nn.Sequential(conv1x1(inplanes, planes * EXPANSION, stride),
                                   nn.BatchNorm2d(planes * EXPANSION))
    layers = [block(inplanes, planes, stride, downsample, **block_kwargs)]
    layers += [block(planes * EXPANSION, planes, 1, None, **block_kwargs)
               for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class ResNet(nn.Module):
    def __init__(self, layers=(3, 4, 6, 3), width=64, num_classes=1000, block=Bottleneck,
                 stage_kwargs=None):
        super().__init__()
        if len(layers) != 4 or any(int(n) < 1 for n in layers):
            raise ValueError(f"layers must be 4 block counts >= 1, got {layers}")
        if width < 1:
            raise ValueError(f"width must be >= 1, got {width}")
        stage_kwargs = stage_kwargs or [{}] * 4
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        planes = [width, 2 * width, 4 * width, 8 * width]
        inplanes = width
        for i, (p, n) in enumerate(zip(planes, layers)):
            setattr(self, f"layer{i + 1}", make_stage(inplanes, p, n, 1 if i == 0 else 2, block,
                                                      **stage_kwargs[i]))
            inplanes = p * EXPANSION
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet50(layers=(3, 4, 6, 3), width=64, num_classes=1000):
    return ResNet(list(layers), width, num_classes)
