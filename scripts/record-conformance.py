#!/usr/bin/env python3
"""Record the expected results of the template conformance suite by running the reference helm.

usage: scripts/record-conformance.py [--check] [--no-batch] [--helm PATH] [-v] [GROUP...]

Reads tests/conformance/cases/<group>.txt (format: tests/conformance/README.md), renders every case
with helm v3.17.3 and writes tests/conformance/expected/<group>.json. With --check nothing is
written; the exit status says whether the recorded files are up to date. --no-batch renders every
case alone (slow; `--no-batch --check` verifies that batching does not change any result).

Efficiency: cases that share values and flags and cannot interfere with each other are rendered
together in one throw-away chart (one output template per case). When such a batch fails, the case
named in helm's error is taken out and the batch is retried; every case taken out, and every case
that could interfere (defines, .Template, mutation of .Values), is rendered alone in a chart laid out
exactly as the README describes, which is also where error messages are recorded from.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance_cases  # noqa: E402
from helm_oracle import CHART_YAML, HELM, helm_env, update_file  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, 'tests', 'conformance', 'cases')
EXPECTED = os.path.join(ROOT, 'tests', 'conformance', 'expected')
RELEASE = 'x'
# Appended to a file-mode case so that its exact rendered bytes can be cut out of helm's --debug
# dump (the trailing document is broken YAML, which makes helm dump every rendered file).
MARKER = '@@RUDDER-CASE-END-{}@@'
BROKEN = '\n---\nbroken: [\n'
BATCH_MAX = 40
# Constructs whose result depends on the template's own name or on other templates, or that mutate
# values shared between templates: such cases are never batched.
UNBATCHABLE = re.compile(r'define|block|template|\.Template|\b(set|unset|merge\w*|include|tpl)\b')


class Helm:
    def __init__(self, exe, verbose):
        self.exe = exe
        self.verbose = verbose
        self.runs = 0
        self.tmp = tempfile.mkdtemp(prefix='rudder-conf-')
        home = os.path.join(self.tmp, 'home')
        os.makedirs(home)
        self.env = helm_env(home)
        self.n = 0

    def chart(self, values, files):
        self.n += 1
        c = os.path.join(self.tmp, f'chart{self.n}')
        os.makedirs(os.path.join(c, 'templates'))
        files = dict(files, **{'Chart.yaml': CHART_YAML, 'values.yaml': values})
        for name, text in files.items():
            with open(os.path.join(c, name), 'w', encoding='utf-8', newline='') as f:
                f.write(text)
        return c

    def run(self, chart, flags, debug=False):
        self.runs += 1
        args = [self.exe, 'template', RELEASE, chart] + list(flags) + (['--debug'] if debug else [])
        p = subprocess.run(args, capture_output=True, env=self.env, timeout=120, cwd=self.tmp)
        out = p.stdout.decode('utf-8', errors='surrogateescape')
        err = p.stderr.decode('utf-8', errors='surrogateescape').replace(chart, '<chart>')
        if self.verbose:
            print(f'  helm run {self.runs}: rc={p.returncode}', file=sys.stderr)
        return p.returncode, out, err


def error_text(stderr):
    """helm's `Error: ...` message without the prefix and without the `Use --debug` tail."""
    i = stderr.find('Error: ')
    while i > 0 and stderr[i - 1] != '\n':
        i = stderr.find('Error: ', i + 1)
    if i < 0:
        raise RuntimeError(f'no Error: line in helm stderr: {stderr!r}')
    msg = stderr[i + len('Error: '):]
    msg = msg.split('\n\nUse --debug flag')[0]
    return msg[:-1] if msg.endswith('\n') else msg


def decode_outputs(stdout):
    res = {}
    for m in re.finditer(r'^k(\d+): "([A-Za-z0-9+/=]*)"$', stdout, re.M):
        res[int(m.group(1))] = base64.b64decode(m.group(2)).decode('utf-8', errors='surrogateescape')
    return res


def cut_dump(stdout, name, marker):
    head = f'---\n# Source: t/templates/{name}\n'
    i = stdout.find(head)
    if i < 0:
        return None
    j = stdout.find(marker, i)
    if j < 0:
        return None
    return stdout[i + len(head):j]


def render_error(helm, case):
    """Render the case alone as templates/case.yaml and return helm's error (None on success)."""
    c = helm.chart(case.values, {'templates/case.yaml': case.template})
    rc, _, err = helm.run(c, case.flags)
    return error_text(err) if rc else None


def single(helm, case):
    if case.mode == 'include':
        c = helm.chart(case.values, {
            'templates/_case.tpl': case.template,
            'templates/out.yaml': 'k0: {{ include "t/templates/_case.tpl" . | b64enc | quote }}\n'})
        rc, out, _ = helm.run(c, case.flags)
        if rc == 0:
            return {'output': decode_outputs(out)[0]}
    else:
        marker = MARKER.format(0)
        c = helm.chart(case.values, {'templates/case.yaml': case.template + marker + BROKEN})
        rc, out, _ = helm.run(c, case.flags, debug=True)
        got = cut_dump(out, 'case.yaml', marker) if rc else None
        if got is not None:
            return {'output': got}
    err = render_error(helm, case)
    if err is None:
        raise RuntimeError(f'{case}: helm failed in {case.mode} mode but the plain file renders')
    return {'error': err}


def batch(helm, cases):
    """Render independent cases sharing values and flags together; returns {index: result} for
    the cases that succeeded and the list of cases that must be rendered alone."""
    pending = list(range(len(cases)))
    done, alone = {}, []
    while pending:
        files, markers = {}, {}
        for i in pending:
            case = cases[i]
            if case.mode == 'include':
                files[f'templates/_c{i:04d}.tpl'] = case.template
                files[f'templates/o{i:04d}.yaml'] = (
                    f'k{i}: {{{{ include "t/templates/_c{i:04d}.tpl" . | b64enc | quote }}}}\n')
            else:
                markers[i] = MARKER.format(i)
                files[f'templates/f{i:04d}.yaml'] = case.template + markers[i]
        debug = bool(markers)
        if debug:
            files['templates/zzz-broken.yaml'] = BROKEN
        c = helm.chart(cases[0].values, files)
        rc, out, err = helm.run(c, cases[0].flags, debug=debug)
        ok = rc == 0 if not debug else 'Error: YAML parse error on' in err
        if ok:
            got = decode_outputs(out)
            for i in pending:
                if cases[i].mode == 'include':
                    done[i] = {'output': got[i]}
                else:
                    text = cut_dump(out, f'f{i:04d}.yaml', markers[i])
                    if text is None:
                        raise RuntimeError(f'{cases[i]}: no dump in batch output')
                    done[i] = {'output': text}
            return done, alone
        m = re.search(r't/templates/[_]?[cof](\d{4})\.', error_text(err))
        bad = int(m.group(1)) if m else None
        if bad is None or bad not in pending:
            alone.extend(cases[i] for i in pending)
            return done, alone
        pending.remove(bad)
        # helm named this case in its error, so it fails on its own too: record the error from
        # the plain file right away (single() re-checks if that unexpectedly renders).
        err_msg = render_error(helm, cases[bad])
        if err_msg is None:
            alone.append(cases[bad])
        else:
            done[bad] = {'error': err_msg}
    return done, alone


def record_group(helm, cases, no_batch):
    results = {}
    groups = {}
    for case in cases:
        if no_batch or UNBATCHABLE.search(case.template):
            results[case.name] = single(helm, case)
        else:
            groups.setdefault(case.key(), []).append(case)
    for members in groups.values():
        for k in range(0, len(members), BATCH_MAX):
            chunk = members[k:k + BATCH_MAX]
            if len(chunk) == 1:
                results[chunk[0].name] = single(helm, chunk[0])
                continue
            done, alone = batch(helm, chunk)
            for i, r in done.items():
                results[chunk[i].name] = r
            for case in alone:
                results[case.name] = single(helm, case)
    return {case.name: results[case.name] for case in cases}


def main():
    args = sys.argv[1:]
    check = verbose = no_batch = False
    exe = HELM
    groups = []
    while args:
        a = args.pop(0)
        if a == '--check':
            check = True
        elif a == '--no-batch':
            no_batch = True
        elif a == '-v':
            verbose = True
        elif a == '--helm':
            exe = args.pop(0)
        elif a in ('-h', '--help'):
            print(__doc__)
            return 0
        else:
            groups.append(a)
    helm = Helm(exe, verbose)
    try:
        return record(helm, exe, groups, check, no_batch)
    finally:
        shutil.rmtree(helm.tmp, ignore_errors=True)


def valid_text(group, results):
    """Outputs and errors must be valid UTF-8 (helm's bytes were decoded with surrogateescape)."""
    for name, r in results.items():
        for v in r.values():
            try:
                v.encode('utf-8')
            except UnicodeEncodeError:
                raise RuntimeError(f'{group}/{name}: helm produced invalid UTF-8; change the case')


def record(helm, exe, groups, check, no_batch):
    ver = subprocess.run([exe, 'version', '--short'], capture_output=True, text=True, env=helm.env)
    if not ver.stdout.startswith('v3.17.3'):
        print(f'expected helm v3.17.3, got {ver.stdout.strip()!r}', file=sys.stderr)
        return 2
    all_cases = conformance_cases.load_all(CASES, groups)
    os.makedirs(EXPECTED, exist_ok=True)
    stale, total = [], 0
    for group, cases in all_cases.items():
        res = record_group(helm, cases, no_batch)
        valid_text(group, res)
        total += len(res)
        text = json.dumps(res, indent=1, ensure_ascii=False) + '\n'
        path = os.path.join(EXPECTED, group + '.json')
        if update_file(path, text, check):
            stale.append(group)
        errs = sum(1 for r in res.values() if 'error' in r)
        print(f'{group}: {len(res)} cases ({errs} errors)', file=sys.stderr)
    print(f'total: {total} cases, {helm.runs} helm runs', file=sys.stderr)
    if check and stale:
        print('out of date: ' + ', '.join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
