#!/usr/bin/env python3
"""Generate the property-test data for toYaml / toJson / printing and record helm's output.

usage: scripts/gen-values.py [--count N] [--runs N] [--helm PATH] [--check]

Writes (format: tests/data/property/README.md):
  tests/data/property/values.yaml   `cases:` list, one generated value per line (JSON flow syntax)
  tests/data/property/expected.json helm v3.17.3's toYaml, toJson and `{{ . }}` of every case

The values come from a fixed seed, so the output is deterministic. All cases are rendered by ONE
helm run (a template that ranges over the cases and emits the base64 of each result); a second
part of the same run returns `toJson .Values.cases`, which is checked against the generated data so
that the values file is known to load as intended. helm is run several times (--runs, default 5)
and the results must agree, except `toYaml` of values holding a map whose keys go-yaml v2 cannot
order consistently (its comparison is not transitive for keys such as "1", "01", "0x1F"): then the
order follows Go's random map iteration, so the expected toYaml is recorded as null (skip it).
"""
import base64
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helm_oracle import CHART_YAML, HELM, helm_env, update_file  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'data', 'property')
SEED = 20250417
COUNT = 2400

# Strings chosen to hit YAML / JSON quoting and scalar-style edge cases.
YAML11_WORDS = ['yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'YES', 'No', 'On', 'OFF', 'true',
                'false', 'True', 'FALSE', 'tRUE', 'null', 'Null', 'NULL', '~', '', 'nan', '.nan',
                '.NaN', 'inf', '.inf', '-.inf', '+.inf', 'Infinity', '<<', '=', 'yes please']
NUMBERISH = ['0', '1', '-1', '+1', '007', '08', '0x1F', '0o17', '0b101', '1_000', '1.0', '1.5',
             '.5', '5.', '1e3', '1E3', '1e-7', '-0', '-0.0', '1:20', '190:20:30', '2020-01-01',
             '2020-01-01T10:00:00Z', '2001-12-14 21:59:43.10 -5', '12345678901234567890',
             '0.1', '3.14159', '1,000', '1.2.3', 'v1.2.3', '0777', '1e21', '123456789']
PUNCT = ['a: b', 'a:b', 'a:', ':a', ': a', 'a #b', 'a#b', '#a', '# a', '-', '-a', '- a', '--',
         '---', '--- a', '...', '?', '?a', '? a', '*a', '&a', '!a', '!!str', '%a', '@a', '`a',
         '|', '|a', '>', '>a', ',a', 'a,b', '[a]', '{a}', ']', '}', "'", "'a'", "it's", '"', '"a"',
         'a"b', '\\', 'back\\slash', 'C:\\path\\x', '\\n', '\\"', 'a\\', '<', '>', '&', '<&>',
         '</script>', 'a=b', 'a/b', 'http://x.y/z?q=1&r=2#f', '{{ .x }}', '%s', '%!d', '$x']
SPACES = [' ', '  ', ' lead', 'trail ', ' both ', 'a  b', 'a \tb', '\t', '\ttab', 'tab\t',
          'a\tb', ' \n', '\n', '\n\n', 'a\n', 'a\n\n', 'a\n\n\n', '\na', '\n\na', 'a\nb',
          'a\n b', ' a\nb', 'a \nb', 'a\n\nb', 'a\r\nb', 'a\rb', 'line1\nline2\n', '\n \n',
          'a\n\tb', 'x\n#y', 'x\n- y', 'k: v\nk2: v2\n', '  indented\n  block\n']
UNICODE = ['é', 'héllo', '日本語', 'Ünïcödé', 'ß', 'İ', 'ǅ', 'Ω', 'ﬁ', '😀', 'emoji 😀 here',
           '👍🏽', '🇫🇷', '\u00a0', 'a\u00a0b', '\u200b', 'zero\u200bwidth', '\u00ad', '\u0085',
           'a\u0085b', '\u2028', 'a\u2029b', '\ufeff', 'bom\ufeff', '\u0000', 'nul\u0000x',
           '\u0001', '\u0007bell', '\u001b[0m', '\u007f', 'del\u007f', '\u0080', '\u009f',
           '\ue000', '\U0010fffd', 'mixed é 😀 \t end', 'ℵ', '∑x', '€100', '\u0301e']
WORDS = ['alpha', 'beta', 'gamma', 'delta', 'key', 'value', 'name', 'image', 'port', 'true',
         'a', 'b', 'x', 'yes', 'no', 'config', 'nginx', 'latest', 'the', 'quick', 'brown', 'fox',
         'jumps', 'over', 'lazy', 'dog', 'lorem', 'ipsum', 'dolor', 'sit', 'amet', '-', ':', '#']
KEYS = ['a', 'b', 'z', 'A', 'B', 'Z', '_x', '_', '1x', 'x1', 'a2', 'a10', 'a1', 'a01', 'a001',
        'a0', 'a_b', 'a-b', 'a.b', 'a b', 'ab', 'aB', 'x1y9', 'x1y10', 'x9', 'x10', 'x010',
        'é', 'e', 'f', 'ü', '日本', '😀', '1', '2', '10', '01', '1.5', '-1', 'yes', 'no', 'n',
        'y', 'on', 'off', 'true', 'null', '~', '', ' ', ' k', 'k ', 'a: b', 'a:b', '#k', '-k',
        '- k', '?k', '*k', '&k', '!k', '%k', '@k', '`k', '"k"', "'k'", 'k\tk', 'k\nk', '<k>',
        'k&k', 'apiVersion', 'kind', 'metadata', 'Name', 'name', 'NAME', 'a' * 90,
        'key with many words in it so that it is long']
FLOATS = [0.0, -0.0, 1.0, 1.5, 0.1, 0.2, 0.30000000000000004, 1e6, 1e-7, 1e-6, 1e-5, 1e21,
          1e20, 1e22, 1e300, 5e-324, 1.7976931348623157e308, 123456.5, 1234567.5, 1234567.0,
          12345678.9, 100000.0, 999999.0, 9999999.0, -1.5, -1e6, 3.14159, 2.5e-3, 0.5, 1e15,
          1e16, 1e17, 123456789012345680.0, 9007199254740993.0, 4.35, 0.000123]
INTS = [0, 1, -1, 2, 10, 42, 100, 255, 1000, 65535, 123456, 1234567, 999999, 1000000, 2 ** 31,
        2 ** 32, 2 ** 53, 2 ** 53 + 1, 2 ** 62, 2 ** 63 - 1, -2 ** 63, 2 ** 63, 2 ** 64 - 1, 2 ** 64,
        2 ** 70, 10 ** 21, 10 ** 22, 12345678901234567890, -12345678901234567890, 7, 8080]
POOLS = [YAML11_WORDS, NUMBERISH, PUNCT, SPACES, UNICODE]


def long_string(rng):
    n = rng.choice([81, 85, 100, 120, 160, 200, 300])
    words = []
    while len(' '.join(words)) < n:
        w = rng.choice(WORDS)
        if rng.random() < 0.05:
            w = w * rng.randint(5, 30)  # a word longer than the fold width
        words.append(w)
    sep = rng.choice([' ', ' ', ' ', '  ', ' \n', ', '])
    s = sep.join(words)
    if rng.random() < 0.2:
        s = rng.choice(['', ' ', '- ', '# ', "'", '"']) + s
    if rng.random() < 0.2:
        s += rng.choice(['', ' ', '\n', '\n\n', ':'])
    return s


def gen_string(rng):
    r = rng.random()
    if r < 0.55:
        return rng.choice(rng.choice(POOLS))
    if r < 0.70:
        return long_string(rng)
    if r < 0.85:  # combine two fragments
        return rng.choice(rng.choice(POOLS)) + rng.choice(['', ' ', '\n', 'x', ': ']) + \
            rng.choice(rng.choice(POOLS))
    if r < 0.95:
        return rng.choice(WORDS) + rng.choice(['', '-', '_', '.', ' ']) + rng.choice(WORDS)
    return ''.join(chr(rng.choice([rng.randint(32, 126), rng.randint(160, 0x2fff),
                                   rng.randint(0x1f300, 0x1f64f)]))
                   for _ in range(rng.randint(1, 12)))


def gen_scalar(rng):
    r = rng.random()
    if r < 0.55:
        return gen_string(rng)
    if r < 0.70:
        return rng.choice(INTS) if rng.random() < 0.7 else rng.randint(-10 ** 9, 10 ** 9)
    if r < 0.85:
        if rng.random() < 0.7:
            return rng.choice(FLOATS)
        return round(rng.uniform(-1e4, 1e4), rng.randint(0, 6))
    if r < 0.93:
        return rng.choice([True, False])
    return None


def gen_value(rng, depth):
    r = rng.random()
    if depth <= 0 or r < 0.45:
        return gen_scalar(rng)
    if r < 0.70:
        return [gen_value(rng, depth - 1) for _ in range(rng.choice([0, 1, 1, 2, 3, 4]))]
    n = rng.choice([0, 1, 2, 3, 4, 5, 6])
    keys = rng.sample(KEYS, n) if rng.random() < 0.8 else [gen_string(rng) for _ in range(n)]
    return {k: gen_value(rng, depth - 1) for k in keys}


def gen_cases(count):
    rng = random.Random(SEED)
    cases = []
    # Every edge-case string and number once on its own, then in a map and in a list.
    for pool in POOLS + [KEYS]:
        cases.extend(pool)
    cases.extend(FLOATS)
    cases.extend(INTS)
    cases.extend([True, False, None, [], {}, [None], {'k': None}, [[]], [{}], {'k': {}},
                  {'k': []}, [[1, [2, [3]]]], {'a': {'b': {'c': {'d': 'deep'}}}}])
    cases.append({k: i for i, k in enumerate(KEYS)})  # all keys at once (order not total)
    # The largest simple subset of the keys that go-yaml v2 orders consistently.
    cases.append({k: i for i, k in enumerate(KEYS) if '0' not in k or k == 'a0'})
    while len(cases) < count:
        cases.append(gen_value(rng, rng.choice([1, 2, 2, 3, 3, 4])))
    return cases[:count] if len(cases) > count else cases


# Characters YAML does not accept raw inside a double-quoted scalar (or would fold as a line
# break), so they are written as \u escapes; json.dumps already escapes C0 controls.
RAW_UNSAFE = re.compile('[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ue000-\uf8ff]')


def yaml_line(v):
    text = json.dumps(v, ensure_ascii=False, allow_nan=False)
    return RAW_UNSAFE.sub(lambda m: '\\u%04x' % ord(m.group(0)), text)


TEMPLATE = '''{{- define "print" }}{{ . }}{{ end -}}
{{- range $i, $v := .Values.cases }}
c{{ $i }}: [{{ toYaml $v | b64enc | quote }}, {{ toJson $v | b64enc | quote }}, {{ include "print" $v | b64enc | quote }}]
{{- end }}
all: {{ toRawJson .Values.cases | b64enc | quote }}
'''


def _wrap64(x):
    """Two's-complement int64 wrap-around, as Go's int64 arithmetic does."""
    return (x + 2 ** 63) % 2 ** 64 - 2 ** 63


def is_digit(c):
    """Go's unicode.IsDigit (category Nd); Python's str.isdigit also accepts superscripts."""
    return unicodedata.category(c) == 'Nd'


def natural_less(a, b):
    """Our restatement of go-yaml v2's comparison of two string map keys (`keyList.Less`), used
    only to find the key sets it cannot order consistently."""
    ar, br = list(a), list(b)
    for i in range(min(len(ar), len(br))):
        if ar[i] == br[i]:
            continue
        al, bl = ar[i].isalpha(), br[i].isalpha()
        if al and bl:
            return ar[i] < br[i]
        if al or bl:
            return bl
        an = bn = 0
        if ar[i] == '0' or br[i] == '0':
            j = i - 1
            while j >= 0 and is_digit(ar[j]):
                if ar[j] != '0':
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(ar) and is_digit(ar[ai]):
            an = _wrap64(an * 10 + (ord(ar[ai]) - 48))
            ai += 1
        bi = i
        while bi < len(br) and is_digit(br[bi]):
            bn = _wrap64(bn * 10 + (ord(br[bi]) - 48))
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ar[i] < br[i]
    return len(ar) < len(br)


def keys_totally_ordered(keys):
    """Whether natural_less is a strict total order on these keys; if not, go-yaml's sort result
    (and so helm's toYaml) depends on Go's random map iteration order."""
    keys = list(keys)
    less = {(x, y): natural_less(x, y) for x in keys for y in keys if x != y}
    for x in keys:
        for y in keys:
            if x != y and less[(x, y)] == less[(y, x)]:
                return False
    for x in keys:
        for y in keys:
            if x == y or not less[(x, y)]:
                continue
            for z in keys:
                if z != x and z != y and less[(y, z)] and not less[(x, z)]:
                    return False
    return True


def toyaml_deterministic(v):
    if isinstance(v, list):
        return all(toyaml_deterministic(x) for x in v)
    if isinstance(v, dict):
        return keys_totally_ordered(v.keys()) and all(toyaml_deterministic(x) for x in v.values())
    return True


def as_loaded(v):
    """The generated value as helm loads it: every number becomes a float64."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [as_loaded(x) for x in v]
    return {k: as_loaded(x) for k, x in v.items()}


def same(a, b):
    """Structural equality with numbers compared as float64 (JSON text loses the sign of -0)."""
    def num(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)
    if num(a) and num(b):
        return float(a) == float(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def run_helm(exe, values):
    with tempfile.TemporaryDirectory() as d:
        chart = os.path.join(d, 't')
        os.makedirs(os.path.join(chart, 'templates'))
        for name, text in {'Chart.yaml': CHART_YAML,
                           'values.yaml': values, 'templates/out.yaml': TEMPLATE}.items():
            with open(os.path.join(chart, name), 'w', encoding='utf-8', newline='') as f:
                f.write(text)
        p = subprocess.run([exe, 'template', 'x', chart], capture_output=True, env=helm_env(d),
                           timeout=600)
    if p.returncode:
        sys.stderr.write(p.stderr.decode('utf-8', 'replace'))
        return None
    return p.stdout.decode('utf-8')


def main():
    args = sys.argv[1:]
    count, check, runs = COUNT, False, 5
    exe = HELM
    while args:
        a = args.pop(0)
        if a == '--count':
            count = int(args.pop(0))
        elif a == '--helm':
            exe = args.pop(0)
        elif a == '--runs':
            runs = int(args.pop(0))
        elif a == '--check':
            check = True
        else:
            print(__doc__)
            return 2
    cases = gen_cases(count)
    values = 'cases:\n' + ''.join('- ' + yaml_line(v) + '\n' for v in cases)
    outs = [run_helm(exe, values) for _ in range(runs)]
    if None in outs:
        return 1
    out = outs[0]

    def b64(s):
        return base64.b64decode(s).decode('utf-8')

    def parse(text):
        rows = {}
        for m in re.finditer(r'^c(\d+): \["([^"]*)", "([^"]*)", "([^"]*)"\]$', text, re.M):
            rows[int(m.group(1))] = {'toYaml': b64(m.group(2)), 'toJson': b64(m.group(3)),
                                     'print': b64(m.group(4))}
        return rows

    rows = parse(out)
    if sorted(rows) != list(range(len(cases))):
        print(f'expected {len(cases)} results, got {len(rows)}', file=sys.stderr)
        return 1
    nondet = [i for i, c in enumerate(cases) if not toyaml_deterministic(c)]
    for i in nondet:
        rows[i]['toYaml'] = None
    for other in outs[1:]:
        again = parse(other)
        for i in nondet:
            again[i]['toYaml'] = None
        diff = [i for i in rows if rows[i] != again[i]]
        if diff:
            print(f'helm output differs between runs for cases {diff[:20]}', file=sys.stderr)
            return 1
    loaded = json.loads(b64(re.search(r'^all: "([^"]*)"$', out, re.M).group(1)))
    bad = [i for i, (a, b) in enumerate(zip(loaded, cases)) if not same(a, as_loaded(b))]
    if bad:
        for i in bad[:10]:
            print(f'case {i} loads differently: wrote {cases[i]!r}, helm has {loaded[i]!r}',
                  file=sys.stderr)
        return 1
    expected = json.dumps([rows[i] for i in range(len(cases))], indent=0, ensure_ascii=False)
    files = {'values.yaml': values, 'expected.json': expected + '\n'}
    os.makedirs(OUT, exist_ok=True)
    stale = []
    for name, text in files.items():
        path = os.path.join(OUT, name)
        if update_file(path, text, check):
            stale.append(name)
    size = sum(len(t.encode()) for t in files.values())
    print(f'{len(cases)} cases, {size} bytes', file=sys.stderr)
    if check and stale:
        print('out of date: ' + ', '.join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
