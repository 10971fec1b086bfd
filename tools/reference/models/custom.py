"""A user-defined network mixing two families, for Kiln's "your own network" test
(Tests/KilnZooTests/CustomNetworkTests.swift writes the same network in the DSL).

VAN-style blocks (BatchNorm, large-kernel attention, layer scale, residual) whose
attention output is gated again by ECA's channel attention:

    x = x + layer_scale * eca(lka(norm(x)))

Not in the zoo; registered as `custom_eca_van` so `kiln_ref.py golden` can write its golden.
"""
import torch
from torch import nn

from .ecanet import ECALayer
from .van import LKA


class MixedBlock(nn.Module):
    def __init__(self, dim, k_size):
        super().__init__()
        self.layer_scale = nn.Parameter(torch.ones(dim))
        self.norm = nn.BatchNorm2d(dim)
        self.lka = LKA(dim)
        self.eca = ECALayer(dim, k_size)

    def forward(self, x):
        return x + self.layer_scale.view(-1, 1, 1) * self.eca(self.lka(self.norm(x)))


class ECAVan(nn.Module):
    def __init__(self, dim=16, depth=2, k_size=3, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, dim, 7, stride=4, padding=3)
        self.stem_bn = nn.BatchNorm2d(dim)
        self.blocks = nn.Sequential(*[MixedBlock(dim, k_size) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.blocks(self.stem_bn(self.stem(x)))
        x = self.norm(x.flatten(2).transpose(1, 2))  # LayerNorm over channels, per token
        return self.head(x.mean(dim=1))


def custom_eca_van(dim=16, depth=2, k_size=3, num_classes=10):
    return ECAVan(dim, depth, k_size, num_classes)
