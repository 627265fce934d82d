#!/usr/bin/env python3
# Per-op instruction table from qbridge_plan_bench per-op windows:
#   perop_table.py OPS_FILE (DumpProgram output) ICOUNT_FILE (qemu-icount out=) REPEAT [-v]
# Prints the whole plan and, per op family, count, instructions, share, MACs and MACs per instruction
# (op 0 of a CONV_2D model is taken to be the first, im2col, layer; other CONV_2D are 1x1 in MobileNets).
import sys, re, collections
ops_file, icount_file, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
ops = []
for line in open(ops_file):
    m = re.match(r'(\d+) operator \d+ \((\w+)\).* macs (\d+)', line)
    if m: ops.append((int(m.group(1)), m.group(2), int(m.group(3))))
counts = [int(re.search(r'insns (\d+)', l).group(1)) / repeat for l in open(icount_file)]
assert len(counts) == len(ops) + 1, (len(counts), len(ops))
fam = collections.OrderedDict()
for (i, name, macs), c in zip(ops, counts):
    key = name
    if name == 'CONV_2D': key = 'CONV_2D first 3x3' if i == 0 else 'CONV_2D 1x1'
    f = fam.setdefault(key, [0, 0, 0]); f[0] += c; f[1] += macs; f[2] += 1
    if '-v' in sys.argv: print(f"{i:3d} {name:20s} {c/1e6:8.3f}M macs {macs/1e6:7.2f}M {macs/c if c else 0:5.2f} MAC/insn")
tot = counts[-1]; s = sum(counts[:-1])
print(f"whole plan {tot/1e6:.2f}M (sum of ops {s/1e6:.2f}M)")
for k, (c, macs, n) in fam.items():
    print(f"| {k} | {n} | {c/1e6:.2f}M | {100*c/tot:.1f}% | {macs/1e6:.1f}M | {macs/c if c and macs else 0:.2f} |")
