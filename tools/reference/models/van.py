"""VAN-b0/b1/b2 (Visual Attention Network) as in Visual-Attention-Network/VAN-Classification
(`models/van.py`).

Module tree and attribute names (= state_dict keys) of the official code:

    patch_embed{i}  OverlapPatchEmbed: proj Conv2d(k 7 / stride 4 / pad 3 for stage 1,
                    else 3 / 2 / 1, bias) -> norm BatchNorm2d; returns (x, H, W)
    block{i}        ModuleList of Block:
                      layer_scale_1, layer_scale_2  Parameters (C,) -- as a module's own
                          parameters they come FIRST in each block's state_dict
                      norm1 BatchNorm2d
                      attn  Attention: proj_1 (1x1) -> activation (exact GELU)
                            -> spatial_gating_unit LKA [conv0 dw 5x5 pad 2 -> conv_spatial
                               dw 7x7 dilation 3 pad 9 -> conv1 1x1; returns u * attn]
                            -> proj_2 (1x1), plus the Attention's input (shortcut)
                      drop_path Identity (drop_path_rate 0)
                      norm2 BatchNorm2d
                      mlp   Mlp: fc1 (1x1) -> dwconv.dwconv (dw 3x3) -> act (GELU) -> drop
                            -> fc2 (1x1) -> drop
                    x = x + ls1 * attn(norm1(x)); x = x + ls2 * mlp(norm2(x))
    norm{i}         LayerNorm(C, eps 1e-6) over the channels of the (B, H*W, C) tokens
    head            Linear(embed_dims[3], num_classes) on the token mean after norm4
                    (Identity if num_classes == 0, as in the official code)

All convs have a bias. Dropout rates are 0 in the released models, so `drop` is
nn.Dropout(0.0) and `drop_path` nn.Identity; neither has parameters.
"""
import torch
from torch import nn


class DWConv(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, 1, 1, groups=dim)

    def forward(self, x):
        return self.dwconv(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Conv2d(dim, hidden, 1)
        self.dwconv = DWConv(hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Conv2d(hidden, dim, 1)
        self.drop = nn.Dropout(0.0)

    def forward(self, x):
        x = self.drop(self.act(self.dwconv(self.fc1(x))))
        return self.drop(self.fc2(x))


class LKA(nn.Module):
    """Large-kernel attention (official class `LKA`, attribute `spatial_gating_unit`)."""

    def __init__(self, dim):
        super().__init__()
        self.conv0 = nn.Conv2d(dim, dim, 5, padding=2, groups=dim)
        self.conv_spatial = nn.Conv2d(dim, dim, 7, stride=1, padding=9, groups=dim, dilation=3)
        self.conv1 = nn.Conv2d(dim, dim, 1)

    def forward(self, x):
        return x * self.conv1(self.conv_spatial(self.conv0(x)))


class Attention(nn.Module):
    """Official class `Attention` (the paper's "spatial attention"), attribute `attn`."""

    def __init__(self, dim):
        super().__init__()
        self.proj_1 = nn.Conv2d(dim, dim, 1)
        self.activation = nn.GELU()
        self.spatial_gating_unit = LKA(dim)
        self.proj_2 = nn.Conv2d(dim, dim, 1)

    def forward(self, x):
        y = self.proj_2(self.spatial_gating_unit(self.activation(self.proj_1(x))))
        return y + x


class Block(nn.Module):
    def __init__(self, dim, mlp_ratio):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(dim)
        self.attn = Attention(dim)
        self.drop_path = nn.Identity()
        self.norm2 = nn.BatchNorm2d(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.layer_scale_1 = nn.Parameter(torch.full((dim,), 1e-2))
        self.layer_scale_2 = nn.Parameter(torch.full((dim,), 1e-2))

    def forward(self, x):
        ls1 = self.layer_scale_1.unsqueeze(-1).unsqueeze(-1)
        ls2 = self.layer_scale_2.unsqueeze(-1).unsqueeze(-1)
        x = x + self.drop_path(ls1 * self.attn(self.norm1(x)))
        return x + self.drop_path(ls2 * self.mlp(self.norm2(x)))


class OverlapPatchEmbed(nn.Module):
    def __init__(self, patch_size, stride, in_chans, embed_dim):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, patch_size, stride=stride,
                              padding=patch_size // 2)
        self.norm = nn.BatchNorm2d(embed_dim)

    def forward(self, x):
        x = self.proj(x)
        h, w = x.shape[2:]
        return self.norm(x), h, w


class VAN(nn.Module):
    def __init__(self, embed_dims, depths, mlp_ratios, num_classes=1000):
        super().__init__()
        if not (len(embed_dims) == len(depths) == len(mlp_ratios) == 4):
            raise ValueError("embed_dims, depths and mlp_ratios need 4 entries each")
        if any(d < 1 for d in embed_dims) or any(n < 0 for n in depths) \
                or any(int(d * r) < 1 for d, r in zip(embed_dims, mlp_ratios)):
            raise ValueError(f"need dims >= 1, depths >= 0, int(dim * mlp_ratio) >= 1 "
                             f"({embed_dims}, {depths}, {mlp_ratios})")
        self.num_classes = num_classes
        self.depths = list(depths)
        self.num_stages = 4
        for i in range(4):
            embed = OverlapPatchEmbed(7 if i == 0 else 3, 4 if i == 0 else 2,
                                      3 if i == 0 else embed_dims[i - 1], embed_dims[i])
            blocks = nn.ModuleList(Block(embed_dims[i], mlp_ratios[i]) for _ in range(depths[i]))
            setattr(self, f"patch_embed{i + 1}", embed)
            setattr(self, f"block{i + 1}", blocks)
            setattr(self, f"norm{i + 1}", nn.LayerNorm(embed_dims[i], eps=1e-6))
        self.head = nn.Linear(embed_dims[3], num_classes) if num_classes > 0 else nn.Identity()

    def forward_features(self, x):
        n = x.shape[0]
        for i in range(1, 5):
            x, h, w = getattr(self, f"patch_embed{i}")(x)
            for blk in getattr(self, f"block{i}"):
                x = blk(x)
            x = getattr(self, f"norm{i}")(x.flatten(2).transpose(1, 2))  # (B, HW, C)
            if i != 4:
                x = x.reshape(n, h, w, -1).permute(0, 3, 1, 2).contiguous()
        return x.mean(dim=1)

    def forward(self, x):
        return self.head(self.forward_features(x))


_DOC = """VAN-{v} (Visual-Attention-Network/VAN-Classification `van_{v}`); defaults = the
    real network: embed_dims {e}, depths {d}, mlp_ratios [8, 8, 4, 4].

    Config keys: embed_dims, depths, mlp_ratios (4 entries each), num_classes (0 gives
    an Identity head and the pooled features as output, as in the official code).
    Constraints: dims >= 1, depths >= 0, int(dim * mlp_ratio) >= 1 (the MLP hidden
    width is truncated to int like the official code). No divisibility constraints:
    every grouped conv is depthwise.
    """


def van_b0(embed_dims=(32, 64, 160, 256), depths=(3, 3, 5, 2), mlp_ratios=(8, 8, 4, 4),
           num_classes=1000):
    return VAN(list(embed_dims), list(depths), list(mlp_ratios), num_classes)


def van_b1(embed_dims=(64, 128, 320, 512), depths=(2, 2, 4, 2), mlp_ratios=(8, 8, 4, 4),
           num_classes=1000):
    return VAN(list(embed_dims), list(depths), list(mlp_ratios), num_classes)


def van_b2(embed_dims=(64, 128, 320, 512), depths=(3, 3, 12, 3), mlp_ratios=(8, 8, 4, 4),
           num_classes=1000):
    return VAN(list(embed_dims), list(depths), list(mlp_ratios), num_classes)


van_b0.__doc__ = _DOC.format(v="b0", e=[32, 64, 160, 256], d=[3, 3, 5, 2])
van_b1.__doc__ = _DOC.format(v="b1", e=[64, 128, 320, 512], d=[2, 2, 4, 2])
van_b2.__doc__ = _DOC.format(v="b2", e=[64, 128, 320, 512], d=[3, 3, 12, 3])
