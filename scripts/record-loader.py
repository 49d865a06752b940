#!/usr/bin/env python3
"""Record the expected results of the loader conformance cases by running the reference helm.

usage: scripts/record-loader.py [--check] [CASE...]

For every tests/loader/cases/<name>/ (or only the named ones) runs helm v3.17.3 with the arguments
in `args` (one per line), cwd = the case directory, in a clean environment (no helm home, no
cluster), and writes `expected.out` (stdout), `expected.rc` (exit status) and, when the status is
not 0, `expected.err` (the first stderr line starting with `Error: `) and `expected.stderr` (all of
stderr, Go's `file.go:NN: ` log prefixes removed); when the status is 0 and
helm printed warnings, `expected.warnings` (stderr without Go's `file.go:NN: ` log prefixes). The case directory's absolute path is
recorded as `$CASEDIR`. With --check nothing is
written; the exit status says whether the recorded files are up to date.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helm_oracle import HELM, helm_env, update_file  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, 'tests', 'loader', 'cases')
# Stands for the case directory's absolute path in recorded output (tests/loader_conformance.rs).
CASEDIR = '$CASEDIR'


def record(d, env, check):
    with open(os.path.join(d, 'args'), encoding='utf-8') as f:
        argv = f.read().splitlines()
    p = subprocess.run([HELM] + argv, cwd=d, env=env, capture_output=True, timeout=60)
    # Helm quotes absolute paths in some errors: keep the recording independent of the checkout.
    out = p.stdout.decode('utf-8').replace(os.path.abspath(d), CASEDIR)
    err = p.stderr.decode('utf-8', 'replace').replace(os.path.abspath(d), CASEDIR)
    stale = update_file(os.path.join(d, 'expected.out'), out, check)
    stale |= update_file(os.path.join(d, 'expected.rc'), f'{p.returncode}\n', check)
    # Warnings of a successful run, without the `file.go:NN: ` prefix of Go's logger (which
    # rudder does not imitate); only written when there are any.
    warnpath = os.path.join(d, 'expected.warnings')
    warnings = re.sub(r'(?m)^[a-z_]+\.go:\d+: ', '', err) if p.returncode == 0 else ''
    if warnings:
        stale |= update_file(warnpath, warnings, check)
    elif os.path.exists(warnpath):
        stale = True
        if not check:
            os.remove(warnpath)
    errpath = os.path.join(d, 'expected.err')
    if p.returncode != 0:
        line = next((ln for ln in err.splitlines() if ln.startswith('Error: ')), err.splitlines()[0] if err else '')
        stale |= update_file(errpath, line + '\n', check)
    elif os.path.exists(errpath):
        stale = True
        if not check:
            os.remove(errpath)
    # The whole stderr of a failed run (warnings, the error, helm's `--debug` hint), without
    # Go's log prefixes.
    stderrpath = os.path.join(d, 'expected.stderr')
    if p.returncode != 0:
        stale |= update_file(stderrpath, re.sub(r'(?m)^[a-z_]+\.go:\d+: ', '', err), check)
    elif os.path.exists(stderrpath):
        stale = True
        if not check:
            os.remove(stderrpath)
    return stale


def main():
    args = sys.argv[1:]
    check = '--check' in args
    names = [a for a in args if a != '--check'] or sorted(os.listdir(CASES))
    home = tempfile.mkdtemp(prefix='rudder-loader-')
    env = helm_env(home)
    stale = [n for n in names if record(os.path.join(CASES, n), env, check)]
    print(f'{len(names)} cases, {len(stale)} {"out of date" if check else "updated"}')
    if check and stale:
        print('\n'.join(stale))
        sys.exit(1)


if __name__ == '__main__':
    main()
