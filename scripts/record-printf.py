#!/usr/bin/env python3
"""Re-record the expected outputs of tests/data/printf_cases.txt from the reference helm.

usage: scripts/record-printf.py [--helm HELM] [--cases FILE] [--out FILE]
       (defaults: ~/.cache/helm-oracle/v3/helm, tests/data/printf_cases.txt, ....tsv)

Every pipeline in the case list becomes a `define`d template of one throw-away chart, rendered
through `include ... | b64enc` so the exact bytes come back, all in one `helm template` run.
Writes tests/data/printf_cases.tsv: `pipeline TAB expected`, where the expected text escapes
backslash, tab, newline and carriage return as \\ \t \n \r. tests/printf.rs checks every line.
"""
import base64, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, 'tests', 'data', 'printf_cases.txt')
OUT = os.path.join(ROOT, 'tests', 'data', 'printf_cases.tsv')

# Keep in sync with the values the Rust test builds by hand (tests/printf.rs `values`).
VALUES = '''port: 80
ratio: 0.5
big: 1234567
huge: 1e21
neg: -3.5
name: web
list: [1, "a", null, 2.5]
m: {b: 2, a: x}
'''
SET = ['--set', 'n=5']
DATA = 'hi \u00e9\n'.encode()


def render(helm, cases):
    """Renders `cases`; returns a list of outputs, or None when helm fails."""
    with tempfile.TemporaryDirectory() as d:
        chart = os.path.join(d, 't')
        os.makedirs(os.path.join(chart, 'templates'))
        files = {'Chart.yaml': 'apiVersion: v2\nname: t\nversion: 0.1.0\n', 'values.yaml': VALUES}
        defs, outs = [], []
        for i, c in enumerate(cases):
            defs.append('{{- define "case-%d" -}}{{ %s }}{{- end -}}\n' % (i, c))
            outs.append('c%d: {{ include "case-%d" . | b64enc | quote }}\n' % (i, i))
        files['templates/_cases.tpl'] = ''.join(defs)
        files['templates/out.yaml'] = ''.join(outs)
        for name, text in files.items():
            with open(os.path.join(chart, name), 'w') as f:
                f.write(text)
        with open(os.path.join(chart, 'data.txt'), 'wb') as f:
            f.write(DATA)
        env = dict(os.environ, HELM_CACHE_HOME=d + '/h', HELM_CONFIG_HOME=d + '/h',
                   HELM_DATA_HOME=d + '/h', KUBECONFIG='/dev/null')
        p = subprocess.run([helm, 'template', 'x', chart] + SET, capture_output=True, env=env)
        if p.returncode != 0:
            return None
        found = dict(re.findall(rb'^c(\d+): "([A-Za-z0-9+/=]*)"$', p.stdout, re.M))
        return [base64.b64decode(found[str(i).encode()]) for i in range(len(cases))]


def render_all(helm, cases):
    """Renders in one run; on a failure splits the batch to find and drop failing cases."""
    got = render(helm, cases)
    if got is not None:
        return got
    if len(cases) == 1:
        print('helm fails on (dropped): %s' % cases[0], file=sys.stderr)
        return [None]
    mid = len(cases) // 2
    return render_all(helm, cases[:mid]) + render_all(helm, cases[mid:])


def escape(b):
    s = b.decode('utf-8')  # Value strings are UTF-8; a non-UTF-8 result would be a bad case.
    return s.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')


def main():
    opts = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    helm = opts.get('--helm', os.path.expanduser('~/.cache/helm-oracle/v3/helm'))
    cases_file, out_file = opts.get('--cases', CASES), opts.get('--out', OUT)
    with open(cases_file, encoding='utf-8') as f:
        cases = [l.rstrip('\n') for l in f if l.strip() and not l.startswith('#')]
    got = render_all(helm, cases)
    n = 0
    with open(out_file, 'w', encoding='utf-8') as f:
        for c, g in zip(cases, got):
            if g is not None:
                f.write('%s\t%s\n' % (c, escape(g)))
                n += 1
    print('recorded %d of %d cases into %s' % (n, len(cases), os.path.relpath(out_file)))


if __name__ == '__main__':
    main()
