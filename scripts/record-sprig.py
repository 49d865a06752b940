#!/usr/bin/env python3
"""Record what Helm 3.17.3 returns for Sprig function calls -> tests/data/sprig_cases.json.

usage: scripts/record-sprig.py [--all | --only NAME,...] [--jobs N]

Only cases not yet in the data file are sent to Helm; --all re-records everything, --only
re-records the cases of the named functions. Ids are "<func>/<n>" in case-list order.

Each case is a function call built from typed arguments (see the constructors below). For every
case we render `{{ CALL }}` with /work/shared/tools/helm-eval (so the text is what `include`
returns: a nil result prints `<no value>`), and on success also `{{ typeOf (CALL) }}`.

Fields of a recorded case:
  id        "<func>/<n>"
  func      the function name
  template  the template text that was rendered (`{{ CALL }}`), for a full-engine runner
  values    values.yaml text the template needs ("" when none)
  set       list of --set flags the template needs ([] when none)
  args      typed arguments for calling the function directly (absent for raw templates);
            each is one of {"int":n} {"int64":n} {"float":x} {"string":s} {"bool":b} {"nil":true}
            {"list":[...]} {"slist":[...]} {"ilist":[...]} {"map":{k: arg}} {"data": json} where
            "data" is a YAML/JSON value from values.yaml (numbers float64, lists, maps)
  output    rendered text (success only)
  type      Go type of the result, from typeOf (success only)
  error     helm's full error line (failure only)
  call_error  the message after "error calling FUNC: " when the function itself failed
  exec_error  true when the executor rejected the call before the function ran (type errors)
  invalid_utf8  true when Helm's output was not valid UTF-8 (output holds U+FFFD instead)
"""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, 'tests', 'data', 'sprig_cases.json')
HELM_EVAL = '/work/shared/tools/helm-eval'


def go_str(s):
    """A Go interpreted string literal for s."""
    out = '"'
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out += '\\"'
        elif ch == '\\':
            out += '\\\\'
        elif ch == '\n':
            out += '\\n'
        elif ch == '\t':
            out += '\\t'
        elif o < 0x20 or o == 0x7f:
            out += '\\x%02x' % o
        else:
            out += ch
    return out + '"'


class Ctx:
    """Collects the values.yaml lines and --set flags one case needs."""

    def __init__(self):
        self.values = []
        self.sets = []
        self.n = 0

    def fresh(self, prefix):
        self.n += 1
        return '%s%d' % (prefix, self.n)


class A:
    """A typed argument: how to write it in a template and in JSON."""

    def tpl(self, ctx):
        raise NotImplementedError

    def js(self):
        raise NotImplementedError


class I(A):
    def __init__(self, n): self.n = n
    def tpl(self, ctx): return str(self.n)
    def js(self): return {'int': self.n}


class I64(A):
    def __init__(self, n): self.n = n

    def tpl(self, ctx):
        k = ctx.fresh('i')
        ctx.sets.append('%s=%d' % (k, self.n))
        return '.Values.' + k

    def js(self): return {'int64': self.n}


class F(A):
    """A float64 as read from values.yaml."""

    def __init__(self, x): self.x = x

    def tpl(self, ctx):
        k = ctx.fresh('f')
        ctx.values.append('%s: %s' % (k, json.dumps(self.x)))
        return '.Values.' + k

    def js(self): return {'float': self.x}


class S(A):
    def __init__(self, s): self.s = s
    def tpl(self, ctx): return go_str(self.s)
    def js(self): return {'string': self.s}


class B(A):
    def __init__(self, b): self.b = b
    def tpl(self, ctx): return 'true' if self.b else 'false'
    def js(self): return {'bool': self.b}


class Nil(A):
    def tpl(self, ctx): return 'nil'
    def js(self): return {'nil': True}


N = Nil()


class L(A):
    """[]interface{} built with `list`."""

    def __init__(self, *items): self.items = items

    def tpl(self, ctx):
        return '(list%s)' % ''.join(' ' + i.tpl(ctx) for i in self.items)

    def js(self): return {'list': [i.js() for i in self.items]}


class SL(A):
    """[]string built with splitList (items must not contain the separator)."""

    def __init__(self, *items, sep='|'):
        self.items, self.sep = items, sep

    def tpl(self, ctx):
        return '(splitList %s %s)' % (go_str(self.sep), go_str(self.sep.join(self.items)))

    def js(self): return {'slist': list(self.items)}


class IL(A):
    """[]int built with until."""

    def __init__(self, n): self.n = n
    def tpl(self, ctx): return '(until %d)' % self.n
    def js(self): return {'ilist': list(range(self.n))}


class D(A):
    """map[string]interface{} built with dict (keys sorted)."""

    def __init__(self, **kv): self.kv = kv

    def tpl(self, ctx):
        return '(dict%s)' % ''.join(' %s %s' % (go_str(k), v.tpl(ctx)) for k, v in sorted(self.kv.items()))

    def js(self): return {'map': {k: v.js() for k, v in self.kv.items()}}


class V(A):
    """A value from values.yaml (numbers are float64, nested lists/maps)."""

    def __init__(self, data): self.data = data

    def tpl(self, ctx):
        k = ctx.fresh('v')
        ctx.values.append('%s: %s' % (k, json.dumps(self.data)))
        return '.Values.' + k

    def js(self): return {'data': self.data}


CASES = []
RAW_BYTES = set()


def c(func, *args):
    CASES.append({'func': func, 'args': args})


def raw(func, template, values='', sets=()):
    CASES.append({'func': func, 'raw': template, 'values': values, 'set': list(sets)})


def build(case):
    if 'raw' in case:
        return {'func': case['func'], 'template': case['raw'], 'values': case['values'],
                'set': case['set']}
    ctx = Ctx()
    call = case['func'] + ''.join(' ' + a.tpl(ctx) for a in case['args'])
    return {'func': case['func'], 'call': call,
            'template': '{{ %s }}' % call,
            'values': ''.join(v + '\n' for v in ctx.values), 'set': ctx.sets,
            'args': [a.js() for a in case['args']]}


def helm(template, values, sets):
    cmd = [HELM_EVAL]
    if values:
        cmd += ['--values-text', values]
    for s in sets:
        cmd += ['--set', s]
    cmd.append(template)
    # A case that makes Helm allocate without bound must not hang the recorder: on timeout the
    # whole process group (helm-eval and the helm it started) is killed.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    p = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    # Byte-wise string functions can cut UTF-8; such output is kept with U+FFFD in place of the
    # broken bytes (our strings are always valid UTF-8) and flagged.
    try:
        out = p.stdout.decode('utf-8')
    except UnicodeDecodeError:
        out = p.stdout.decode('utf-8', errors='replace')
        RAW_BYTES.add(template)
    return p.returncode, out, p.stderr.decode('utf-8', errors='replace').strip()


def record(rec):
    rc, out, err = helm(rec['template'], rec['values'], rec['set'])
    if rc == 0:
        rec['output'] = out
        if rec['template'] in RAW_BYTES:
            rec['invalid_utf8'] = True
        if 'call' in rec:
            rc2, ty, err2 = helm('{{ typeOf (%s) }}' % rec['call'], rec['values'], rec['set'])
            rec['type'] = ty if rc2 == 0 else None
    else:
        line = err.splitlines()[-1] if err else ''
        rec['error'] = line
        marker = 'error calling %s: ' % rec['func']
        if marker in line:
            rec['call_error'] = line.split(marker, 1)[1]
        else:
            rec['exec_error'] = True
    rec.pop('call', None)
    return rec


def key(rec):
    return json.dumps([rec['template'], rec['values'], rec['set']])


def main():
    only = set()
    refresh = False
    jobs = 2
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == '--only':
            only = set(args.pop(0).split(','))
        elif a == '--all':
            refresh = True
        elif a == '--jobs':
            jobs = int(args.pop(0))
    sys.path.insert(0, HERE)
    from sprig_case_list import define  # the case list lives next to this script
    define(sys.modules[__name__])
    recs = [build(cs) for cs in CASES]
    # Keep earlier recordings unless asked to refresh them (--all, or --only for some names).
    known = {}
    if os.path.exists(OUT) and not refresh:
        with open(OUT) as f:
            known = {key(r): r for r in json.load(f) if r['func'] not in only}
    todo = [r for r in recs if key(r) not in known]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        fresh = {key(r): r for r in ex.map(record, todo)}
    counters = {}
    ordered = []
    for r in recs:
        k = key(r)
        done = fresh.get(k) or dict(known[k], args=r.get('args'))
        if 'args' not in r:
            done.pop('args', None)
        counters[r['func']] = counters.get(r['func'], 0) + 1
        done['id'] = '%s/%d' % (r['func'], counters[r['func']])
        ordered.append({f: done[f] for f in ('id', 'func', 'template', 'values', 'set', 'args', 'output',
                                             'type', 'invalid_utf8', 'error', 'call_error', 'exec_error')
                        if f in done})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(ordered, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print('%d cases (%d newly recorded) -> %s' % (len(ordered), len(todo), OUT))


if __name__ == '__main__':
    sys.path.insert(0, HERE)
    main()
