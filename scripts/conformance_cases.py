"""Parser for the conformance case files in tests/conformance/cases/*.txt.

The format is documented in tests/conformance/README.md; this module is the reference reader
(used by scripts/record-conformance.py) so that the documentation and the recorder cannot drift.
"""
import os
import re
import shlex

CASE_RE = re.compile(r'^### case: ([a-z0-9][a-z0-9-]*)$')
DIRECTIVE_RE = re.compile(r'^### (values|flags|mode|note|template):(.*)$')
MODES = ('include', 'file')


class CaseError(Exception):
    """A malformed case file."""


class Case:
    """One conformance case: template text, values text, extra helm flags and mode."""

    def __init__(self, group, name, line):
        self.group = group
        self.name = name
        self.line = line
        self.values = ''
        self.flags = []
        self.mode = 'include'
        self.template = None

    def key(self):
        return (self.values, tuple(self.flags))

    def __repr__(self):
        return f'{self.group}/{self.name}'


def parse_file(path):
    """Return the list of cases of one case file, in file order."""
    group = os.path.basename(path)[:-len('.txt')]
    with open(path, encoding='utf-8', newline='') as f:
        text = f.read()
    lines = text.split('\n')
    # A file ending with a newline yields a final empty element: that newline is not content.
    if lines and lines[-1] == '':
        lines.pop()
    cases, names = [], set()
    cur, section, body = None, None, []

    def close_section():
        if cur is None or section is None:
            return
        if section == 'values':
            cur.values = ''.join(line + '\n' for line in body)
        elif section == 'template':
            cur.template = '\n'.join(body)

    for no, line in enumerate(lines, 1):
        m = CASE_RE.match(line)
        if m is None and line.startswith('### case:'):
            raise CaseError(f'{path}:{no}: bad case name line {line!r} (names: [a-z0-9-]+)')
        if m:
            close_section()
            if cur is not None and cur.template is None:
                raise CaseError(f'{path}:{cur.line}: case {cur.name} has no ### template:')
            if m.group(1) in names:
                raise CaseError(f'{path}:{no}: duplicate case name {m.group(1)}')
            names.add(m.group(1))
            cur = Case(group, m.group(1), no)
            cases.append(cur)
            section, body = None, []
            continue
        if cur is None:
            if line.startswith('### '):
                raise CaseError(f'{path}:{no}: directive before the first ### case:')
            continue  # free-text file header
        if section == 'template':
            body.append(line)
            continue
        d = DIRECTIVE_RE.match(line)
        if d:
            close_section()
            kind, rest = d.group(1), d.group(2).strip()
            section, body = None, []
            if kind == 'values':
                if rest:
                    raise CaseError(f'{path}:{no}: ### values: takes no inline text')
                section = 'values'
            elif kind == 'flags':
                cur.flags = shlex.split(rest)
            elif kind == 'mode':
                if rest not in MODES:
                    raise CaseError(f'{path}:{no}: unknown mode {rest!r}')
                cur.mode = rest
            elif kind == 'note':
                pass
            elif kind == 'template':
                if rest:
                    raise CaseError(f'{path}:{no}: ### template: takes no inline text')
                section = 'template'
            continue
        if section == 'values':
            body.append(line)
            continue
        raise CaseError(f'{path}:{no}: unexpected line outside a section: {line!r}')
    close_section()
    if cur is not None and cur.template is None:
        raise CaseError(f'{path}:{cur.line}: case {cur.name} has no ### template:')
    return cases


def load_all(cases_dir, groups=None):
    """All case files of a directory (sorted by group name) as {group: [Case]}."""
    out = {}
    for fn in sorted(os.listdir(cases_dir)):
        if not fn.endswith('.txt'):
            continue
        group = fn[:-4]
        if groups and group not in groups:
            continue
        out[group] = parse_file(os.path.join(cases_dir, fn))
    return out
