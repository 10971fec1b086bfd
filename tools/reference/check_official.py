"""One-off check: models/ == the official PyTorch implementations.

    python3 check_official.py [REPOS_DIR]

Always checks models/resnet.py against torchvision's ResNet-50. With REPOS_DIR (the
directory holding the official repositories, see README.md "Official repositories") it
also checks every seed network against its official code: the official model file is
read from the repository (a git work tree, a git directory such as the one `fetch`
makes, or a plain copy), written to a temporary directory outside this repository under
a private package name and imported from there; the few imports that would need timm
or the repository's own training utilities are stubbed. For each pair it checks that
the state_dict keys, their order, shapes and dtypes are identical, loads the same
seeded weights (seed 1) into both, and compares outputs on a seeded input (seed 2).
Reduced variants are checked too: directly where the official constructor can build
them, otherwise as our ResNet skeleton (which is checked against the official
skeletons at width 64) holding the official bottleneck blocks. Finally it prints each
full-size model's parameter count next to the expected one (/work/shared/models.md).
Exit status 0 iff everything matches.
"""
import contextlib
import functools
import importlib
import os
import subprocess
import sys
import tempfile
import types

import torch
import torchvision
from torch import nn
from torchvision.models.resnet import Bottleneck, ResNet as TVResNet

import seeded
from models import build
from models.resnet import ResNet as Skeleton

ATOL = 1e-5  # outputs are expected to be bit-identical; this is the pass threshold

PARAMS = {  # expected parameter counts of the full-size models
    "resnet50": 25_557_032, "se_resnet50": 28_071_976, "eca_resnet50": 25_557_112,
    "epsanet50": 22_561_715, "epsanet101": 38_900_279, "sa_resnet50": 25_557_740,
    "van_b0": 4_105_800, "van_b1": 13_861_800, "van_b2": 26_578_472,
}

OFFICIAL = {  # repository -> (private package name, files to copy, imported module)
    "moskomule/senet.pytorch": ("senet", ["senet/se_module.py", "senet/se_resnet.py"],
                                "senet.se_resnet"),
    "BangguWu/ECANet": ("official_eca", ["models/eca_module.py", "models/eca_resnet.py"],
                        "official_eca.eca_resnet"),
    "murufeng/EPSANet": ("official_epsanet",
                         ["models/SE_weight_module.py", "models/epsanet.py"],
                         "official_epsanet.epsanet"),
    "wofmanaf/SA-Net": ("official_sanet", ["models/sa_resnet.py"], "official_sanet.sa_resnet"),
    "Visual-Attention-Network/VAN-Classification": ("official_van", ["models/van.py"],
                                                    "official_van.van"),
}

failures = []


# ---------------------------------------------------------------------------------------
# Locating and importing the official code

def repo_candidates(root, repo):
    owner, name = repo.split("/")
    return [os.path.join(root, f"{owner}+{name}", "repo"), os.path.join(root, f"{owner}+{name}"),
            os.path.join(root, owner, name), os.path.join(root, name)]


def read_official(root, repo, path):
    """(text, where) of `path` in `repo` under `root`; None if not found."""
    for cand in repo_candidates(root, repo):
        if not os.path.isdir(cand):
            continue
        if os.path.isfile(os.path.join(cand, path)):  # work tree or plain copy
            with open(os.path.join(cand, path)) as f:
                return f.read(), cand
        try:  # a git directory (bare, or `fetch`'s work-tree-less mirror)
            text = subprocess.run(["git", "-C", cand, "show", f"HEAD:{path}"], check=True,
                                  capture_output=True, text=True).stdout
            rev = subprocess.run(["git", "-C", cand, "rev-parse", "HEAD"], check=True,
                                 capture_output=True, text=True).stdout.strip()
            return text, f"{cand} @ {rev}"
        except (subprocess.CalledProcessError, FileNotFoundError):
            continue
    return None


def stub_imports():
    """Stand-ins for the imports the official files make that are not installed or not
    copied: timm (VAN; only used for init, registration and drop-path > 0) and SA-Net's
    own `utils.load_state_dict` (only used for pretrained weights)."""
    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class DropPath(nn.Module):  # never built: drop_path_rate is 0
        def __init__(self, p=0.0):
            super().__init__()
            raise NotImplementedError("stub DropPath")

    def to_2tuple(x):
        return tuple(x) if isinstance(x, (tuple, list)) else (x, x)

    module("timm")
    module("timm.models")
    module("timm.models.layers", DropPath=DropPath, to_2tuple=to_2tuple,
           trunc_normal_=lambda t, std=1.0: nn.init.trunc_normal_(t, std=std))
    module("timm.models.registry", register_model=lambda fn: fn)
    module("timm.models.vision_transformer", _cfg=lambda **kw: dict(kw))

    def load_state_dict(path):
        raise NotImplementedError("stub utils.load_state_dict (pretrained weights)")

    module("utils", load_state_dict=load_state_dict)


def import_official(root, tmp):
    """{repo: imported module} for the repositories found under root."""
    sys.path.insert(0, tmp)
    stub_imports()
    mods = {}
    for repo, (package, files, modname) in OFFICIAL.items():
        os.makedirs(os.path.join(tmp, package), exist_ok=True)
        open(os.path.join(tmp, package, "__init__.py"), "w").close()
        where = None
        for path in files:
            found = read_official(root, repo, path)
            if found is None:
                break
            text, where = found
            with open(os.path.join(tmp, package, os.path.basename(path)), "w") as f:
                f.write(text)
        else:
            mods[repo] = importlib.import_module(modname)
            print(f"official {repo}: {', '.join(files)} from {where}")
            continue
        print(f"official {repo}: NOT FOUND under {root} (looked for "
              f"{', '.join(repo_candidates(root, repo))})")
        failures.append(f"{repo} not found")
    return mods


# ---------------------------------------------------------------------------------------
# Comparison

def compare(name, ours, official, shape):
    a, b = ours.state_dict(), official.state_dict()
    if list(a) != list(b):
        missing = [k for k in b if k not in a][:5]
        extra = [k for k in a if k not in b][:5]
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        print(f"FAIL {name}: keys differ (ours {len(a)}, official {len(b)}; first difference "
              f"at #{first}; missing {missing}; extra {extra})")
        failures.append(name)
        return
    bad = [k for k in a if a[k].shape != b[k].shape or a[k].dtype != b[k].dtype]
    if bad:
        print(f"FAIL {name}: shape/dtype differs for {bad[:5]}")
        failures.append(name)
        return
    sd = {k: torch.from_numpy(v) for k, v in seeded.state_dict(ours, 1).items()}
    ours.load_state_dict(sd, strict=True)
    official.load_state_dict(sd, strict=True)
    x = torch.from_numpy(seeded.input_tensor(shape, 2))
    with torch.inference_mode():
        ya, yb = ours.eval()(x), official.eval()(x)
    diff = (ya - yb).abs().max().item()
    ok = ya.shape == yb.shape and torch.isfinite(ya).all().item() and diff <= ATOL
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {len(a)} keys identical in order, shape and "
          f"dtype; input {shape} -> {list(ya.shape)}: max|diff| {diff:.3g}, "
          f"bit-identical {torch.equal(ya, yb)}")
    if not ok:
        failures.append(name)


def with_avgpool(model):
    """The official se/eca builders replace the ResNet's avgpool like this."""
    model.avgpool = nn.AdaptiveAvgPool2d(1)
    return model


@contextlib.contextmanager
def default_args(cls, *defaults):
    """Temporarily change the default arguments of an official class's __init__ (a
    setting its enclosing constructors do not pass on, e.g. sa_layer's groups)."""
    saved = cls.__init__.__defaults__
    cls.__init__.__defaults__ = defaults
    try:
        yield
    finally:
        cls.__init__.__defaults__ = saved


def skeleton_with(block, layers, width, num_classes, stage_kwargs=None):
    """Our ResNet skeleton holding official bottleneck blocks (for reduced widths,
    which the official constructors cannot build: their stem width is fixed at 64)."""
    return Skeleton(layers, width, num_classes, block=block, stage_kwargs=stage_kwargs)


def check_seed_networks(mods):
    full = [1, 3, 224, 224]
    small = [2, 3, 64, 64]
    tiny = {"layers": [1, 1, 1, 1], "num_classes": 10}

    m = mods.get("moskomule/senet.pytorch")
    if m:
        compare("se_resnet50", build("se_resnet50"), m.se_resnet50(), full)
        compare("se_resnet50 layers=[1,1,1,1] classes=10", build("se_resnet50", tiny),
                with_avgpool(TVResNet(m.SEBottleneck, [1, 1, 1, 1], num_classes=10)), small)

        def se_block(inplanes, planes, stride, downsample, reduction):
            return m.SEBottleneck(inplanes, planes, stride, downsample, reduction=reduction)
        cfg = {"layers": [1, 2, 1, 1], "width": 16, "num_classes": 10, "reduction": 8}
        compare(f"se_resnet50 {cfg} (official blocks)", build("se_resnet50", cfg),
                skeleton_with(se_block, [1, 2, 1, 1], 16, 10, [{"reduction": 8}] * 4), small)

    m = mods.get("BangguWu/ECANet")
    if m:
        compare("eca_resnet50 k=[3,5,5,7]", build("eca_resnet50"),
                m.eca_resnet50(k_size=list("3557")), full)  # as main.py --ksize 3557
        compare("eca_resnet50 layers=[1,1,1,1] classes=10 k_sizes=[3,3,3,3]",
                build("eca_resnet50", {**tiny, "k_sizes": [3, 3, 3, 3]}),
                with_avgpool(m.ResNet(m.ECABottleneck, [1, 1, 1, 1], num_classes=10)), small)
        cfg = {"layers": [2, 1, 1, 1], "width": 8, "num_classes": 10, "k_sizes": [1, 3, 5, 9]}
        compare(f"eca_resnet50 {cfg} (official blocks)", build("eca_resnet50", cfg),
                skeleton_with(m.ECABottleneck, [2, 1, 1, 1], 8, 10,
                              [{"k_size": k} for k in [1, 3, 5, 9]]), small)

    m = mods.get("murufeng/EPSANet")
    if m:
        compare("epsanet50", build("epsanet50"), m.epsanet50(), full)
        compare("epsanet101", build("epsanet101"), m.epsanet101(), full)
        compare("epsanet50 layers=[1,1,1,1] classes=10", build("epsanet50", tiny),
                m.EPSANet(m.EPSABlock, [1, 1, 1, 1], num_classes=10), small)
        kernels, groups, reduction = [3, 5, 7, 9], [1, 2, 4, 4], 4

        def epsa_block(inplanes, planes, stride, downsample):
            # the official PSAModule always builds SEWeightModule(planes // 4) (reduction
            # 16): let it build the official module with another reduction instead
            with default_args(m.SEWeightModule, reduction):  # (channels, reduction=16)
                return m.EPSABlock(inplanes, planes, stride, downsample,
                                   conv_kernels=kernels, conv_groups=groups)
        cfg = {"layers": [1, 2, 1, 1], "width": 16, "num_classes": 10, "conv_kernels": kernels,
               "conv_groups": groups, "reduction": reduction}
        compare(f"epsanet50 {cfg} (official blocks)", build("epsanet50", cfg),
                skeleton_with(epsa_block, [1, 2, 1, 1], 16, 10), small)
        cfg = {"layers": [1, 1, 2, 1], "num_classes": 10, "conv_kernels": [1, 3, 5, 3],
               "conv_groups": [2, 1, 16, 4]}

        def epsa_block2(inplanes, planes, stride, downsample):
            return m.EPSABlock(inplanes, planes, stride, downsample,
                               conv_kernels=cfg["conv_kernels"], conv_groups=cfg["conv_groups"])
        compare(f"epsanet101 {cfg} (official blocks)", build("epsanet101", cfg),
                skeleton_with(epsa_block2, [1, 1, 2, 1], 64, 10), small)

    m = mods.get("wofmanaf/SA-Net")
    if m:
        compare("sa_resnet50", build("sa_resnet50"), m.sa_resnet50(), full)
        compare("sa_resnet50 layers=[1,1,1,1] classes=10", build("sa_resnet50", tiny),
                m.ResNet(m.SABottleneck, [1, 1, 1, 1], num_classes=10), small)

        def sa_block(inplanes, planes, stride, downsample, groups):
            # the official SABottleneck always builds sa_layer(planes * 4) (groups 64):
            # let it build the official layer with another group count instead
            with default_args(m.sa_layer, groups):  # sa_layer(channel, groups=64)
                return m.SABottleneck(inplanes, planes, stride, downsample)
        cfg = {"layers": [1, 2, 1, 1], "width": 16, "num_classes": 10, "groups": 8}
        compare(f"sa_resnet50 {cfg} (official blocks)", build("sa_resnet50", cfg),
                skeleton_with(sa_block, [1, 2, 1, 1], 16, 10, [{"groups": 8}] * 4), small)

    m = mods.get("Visual-Attention-Network/VAN-Classification")
    if m:
        for v in ("van_b0", "van_b1", "van_b2"):
            compare(v, build(v), getattr(m, v)(), full)
        cfg = {"embed_dims": [8, 16, 24, 32], "depths": [1, 2, 0, 1],
               "mlp_ratios": [4, 2.5, 4, 2], "num_classes": 10}
        ln = functools.partial(nn.LayerNorm, eps=1e-6)
        compare(f"van_b0 {cfg}", build("van_b0", cfg), m.VAN(norm_layer=ln, **cfg), [2, 3, 64, 48])


def print_param_counts(names):
    print("parameter counts (full size):")
    for name in names:
        n = sum(p.numel() for p in build(name).parameters())
        ok = n == PARAMS[name]
        print(f"  {name:<14} {n:>12,}  expected {PARAMS[name]:>12,}  {'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append(f"{name} params")


if __name__ == "__main__":
    torch.manual_seed(0)
    compare("resnet50", build("resnet50"), torchvision.models.resnet50(), [1, 3, 224, 224])
    compare("resnet layers=[1,1,1,1] classes=10",
            build("resnet50", {"layers": [1, 1, 1, 1], "num_classes": 10}),
            TVResNet(Bottleneck, [1, 1, 1, 1], num_classes=10), [2, 3, 64, 64])
    names = ["resnet50"]
    if len(sys.argv) > 1:
        with tempfile.TemporaryDirectory(prefix="kiln_official_") as tmp:
            check_seed_networks(import_official(sys.argv[1], tmp))
        names = list(PARAMS)
    else:
        print("seed networks skipped: pass the directory holding the official repositories "
              "(see README.md)")
    print_param_counts(names)
    print("torch", torch.__version__, "torchvision", torchvision.__version__)
    print("ALL OK" if not failures else f"FAILED: {', '.join(failures)}")
    sys.exit(0 if not failures else 1)
