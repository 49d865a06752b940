#!/usr/bin/env python3
"""Record Helm's parse errors for the template lexer/parser test cases.

usage: scripts/record-parse-errors.py [HELM_EVAL]

Runs every case below through the reference Helm (/work/shared/tools/helm-eval by default) and
writes tests/data/parse_errors.tsv: one line per case, `TEMPLATE<TAB>HELM_OUTPUT`, with
backslash, tab, CR and newline escaped as \\\\, \\t, \\r, \\n. HELM_OUTPUT is what Helm prints,
`Error: parse error at (t/templates/case.yaml:LINE): MSG`, or `OK` when the text parses (and
renders). src/template/parse_tests.rs replays the file against our parser. The POSITION_CASES
go to tests/data/exec_positions.tsv the same way: execution errors, whose `LINE:COL` and
`<node>` must match a node of our tree.

Cases only use these functions (the test's function table): include quote upper printf default
list dict and or not eq len index print println toYaml tpl required.
"""
import os
import subprocess
import sys

CASES = [
    # Lexer errors.
    '{{ .X',
    '{{ .X }',
    '{{ .X} }}',
    '{{/* c',
    '{{/* c */ }}',
    '{{/* c */x}}',
    '{{ "abc }}',
    '{{ "abc\n" }}',
    '{{ `abc }}',
    "{{ 'a }}",
    "{{ '\\\n' }}",
    '{{ 1x }}',
    '{{ 0x1g }}',
    '{{ 1+2 }}',
    '{{ 1+2x }}',
    '{{ ) }}',
    '{{ (1 }}',
    '{{ (1 -}}',
    '{{ $x:1 }}',
    '{{ . \x01 }}',
    '{{ . \u00e9 }}',
    '{{ .A\u00e9\u00a7 }}',
    '{{ $a# }}',
    '{{ print# }}',
    '{{ .X\n',
    'a\nb {{ .X\n\n',
    '{{ "a\nb" }}',
    '{{ print\n"a\n" }}',
    '\n\n{{ `raw\nraw` | quote | nofn }}',
    '{{/* multi\nline */}}\n{{ end }}',
    '{{/* a\nb\nc */}}{{ nofn }}',
    '{{- /* a\nb */ -}}\n\n{{ nofn }}',
    '{{/* a\nb */}}{{ .X',
    '{{/* a\nb */}}{{ .X\n',
    'x\n{{-\n/* a\nb */\n-}}\n\n{{ nofn }}',
    '{{ `a\nb` }}{{/* c\nd */}}{{ "x"\n| nofn }}',
    # Parser errors.
    '{{ }}',
    '{{ nofn }}',
    '{{ .X | nofn }}',
    '{{ end }}',
    '{{ else }}',
    '{{ if .X }}',
    '{{ if .X }}a{{ else }}b',
    '{{ if }}{{ end }}',
    '{{ range }}{{ end }}',
    '{{ with }}{{ end }}',
    '{{ if .X }}{{ else }}{{ else }}{{ end }}',
    '{{ range .X }}{{ else if .Y }}{{ end }}',
    '{{ with .X }}{{ else if .Y }}{{ end }}',
    '{{ if .X }}{{ else with .Y }}{{ end }}',
    '{{ if .X }}{{ else if }}{{ end }}',
    '{{ else if .X }}',
    '{{ end 1 }}',
    '{{ else 1 }}',
    '{{ $x }}',
    '{{ $x.Y }}',
    '{{ $x := 1 }}{{ $y }}',
    '{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}',
    '{{ range $i, $v := .X }}{{ end }}{{ $v }}',
    '{{ $x, $y := 1 }}',
    '{{ range $i, 1 }}{{ end }}',
    '{{ range $a, $b, $c := . }}{{ end }}',
    '{{ with $a, $b := . }}{{ end }}',
    '{{ $x := }}',
    '{{ 1 | 2 }}',
    '{{ print | "a" }}',
    '{{ print | . }}',
    '{{ print | nil }}',
    '{{ print | true }}',
    '{{ print | print | 1.5 }}',
    '{{ print | }}',
    '{{ | print }}',
    '{{ ( ) }}',
    '{{ (print }}',
    '{{ print ) }}',
    '{{ "a".X }}',
    '{{ 1.X }}',
    '{{ nil.X }}',
    '{{ true.X }}',
    '{{ ..X }}',
    '{{ . . }}',
    '{{ .X. }}',
    '{{ := }}',
    '{{ = }}',
    '{{ print , }}',
    '{{ print $ }} {{ $ := 1 }}',
    '{{ "\\q" }}',
    "{{ '\\q' }}",
    "{{ 'ab' }}",
    "{{ '' }}",
    '{{ 08 }}',
    '{{ 99999999999999999999 }}',
    '{{ 1e400 }}',
    '{{ 0x }}',
    '{{ 1__0 }}',
    '{{ _1 }}',
    '{{ 0b102 }}',
    '{{ 0o8 }}',
    '{{ 1.2.3 }}',
    '{{ +- }}',
    '{{ . }}{{ break }}',
    '{{ continue }}',
    '{{ range . }}{{ break 1 }}{{ end }}',
    '{{ range . }}{{ continue . }}{{ end }}',
    '{{ range . }}{{ define "x" }}{{ end }}{{ end }}',
    '{{ if . }}{{ block "b" . }}{{ break }}{{ end }}{{ end }}',
    '{{ range . }}{{ block "b" . }}{{ break }}{{ end }}{{ end }}',
    '{{ define "x" }}a{{ end }}{{ define "x" }}b{{ end }}',
    '{{ define "x" }}a{{ end }}\n\n{{ define "x" }} {{ end }}',
    '{{ define "x" }} {{ end }}{{ define "x" }}b{{ end }}',
    '{{ define "x" }}a{{ end }}{{ block "x" . }}b{{ end }}',
    '{{ define x }}{{ end }}',
    '{{ define "x" 1 }}{{ end }}',
    '{{ define "x" }}',
    '{{ define "x" }}{{ else }}{{ end }}',
    '{{ define "\\q" }}{{ end }}',
    '{{ block "x" }}{{ end }}',
    '{{ block x . }}{{ end }}',
    '{{ block "x" . }}\n\n{{ else }}{{ end }}',
    '{{ block "x" . }}',
    '{{ template x }}',
    '{{ template "x" | }}',
    '{{ template }}',
    '{{ template "x" . . }}',
    '{{ if .X }}\n{{ else }}\n{{ end }}\n{{ end }}',
    '{{ .X | print "a" 1 | }}',
    'line1\nline2\n{{ if .X }}\nline4\n{{ nofn }}\n{{ end }}',
    '{{- /* x */ -}}\n  {{ nofn -}}',
    '{{ include "x" (dict "a" (list 1 (nofn))) }}',
    '{{ 1i }}{{ nofn }}',
    "{{ '\\n' }}{{ 0x1p4 }}{{ 1_000 }}{{ 0b11 }}{{ 0o7 }}{{ nofn }}",
    '{{ $x := 1 }}{{ $x = 2 }}{{ $y = 3 }}',
    '{{ printf "%d" 1 2 3 | quote | upper }}',
    '{{ .X.Y.Z }}{{ $.X.Y }}{{ (print .).X }}{{ nofn }}',
    '{{ end "abcdefghijklm" }}',
    '{{ end "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9" }}',
    '{{ end `a\nb` }}',
    '{{ if 1 }}{{ else "abcdefghijklmn" }}{{ end }}',
    '{{ .X | 3 }}',
    '{{ range $i, $v = . }}{{ end }}',
    '{{ range $i, }}{{ end }}',
    '{{ range $i, $v }}{{ end }}',
    '{{ -.5 }}{{ .5 }}{{ 1. }}{{ nofn }}',
    '{{ 1e }}',
    '{{ 0x1.8 }}',
    '{{ 1_ }}',
    '{{ 0_1 }}{{ nofn }}',
    "{{ '\\u00e9' }}{{ '\\xff' }}{{ \"\\xff\" }}{{ nofn }}",
    '{{ 1+2i }}{{ 1-2i | print }}{{ nofn }}',
    '{{ print 1+ }}',
    '{{ print\n  nofn }}',
    '{{ "a" }}{{\n}}',
    '{{ if .X }}\n\n{{ else }}\n{{ else }}{{ end }}',
    '{{ define "x" }}\n\n{{ end }}{{ define "x" }}\nb{{ end }}',
    '{{ $x := 1 }}{{ range $x }}{{ end }}{{ nofn }}',
    '{{ with $x := 1 }}{{ $x }}{{ else }}{{ $x }}{{ end }}{{ nofn }}',
    '{{ if $x := 1 }}{{ else if $y := 2 }}{{ $x }}{{ $y }}{{ end }}{{ $y }}',
    '{{ template "x" (print }}',
    '{{ print (1 | print) (print | 2) }}',
    '{{ print (1) }}{{ (1) }}{{ (.).X }}{{ nofn }}',
    '{{ print .X.Y (print).Z $.A nofn }}',
    '{{ define "a" }}{{ define "b" }}{{ end }}{{ end }}',
    '{{\tprint\r\n.X\t}}{{ nofn }}',
    '{{- .X -}}{{-.X}}',
    '{{ .X -}}{{ nofn }}',
    '{{ 3 -}}\n\n{{ nofn }}',
    '{{ 3 -}}\n{{/* c */ -}}\n\n{{ nofn }}',
    '{{- \n\n 3 \n\n -}}\n{{ nofn }}',
    '{{ 3 - }}',
    '{{ 3 -}}}',
    '{{ if 1 -}}{{ else -}}{{ end -}}{{ nofn -}}',
    '{{ "a\\\n" }}',
    '{{ .X\r\n}}{{ nofn }}',
    '{{ .X | }}{{ nofn }}',
    '{{ end \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9 }}',
    '{{ end "\\u00e9" }}',
    '{{ end 1.5e10i }}',
    '{{ end \'\\n\' }}',
    '{{ 0x1-2i }}',
    '{{ 1i+2i }}',
    '{{ +i+2i }}',
    '{{ 1+2_i }}',
    '{{ print 1.5e3-2.5e-1i 0x1p2+0x1p-2i }}{{ nofn }}',
    '{{-/* c */}}',
    '{{/* c */-}}',
    '{{ /* c */ }}',
    '{{- /* c */}}x{{ nofn }}',
    '{{/* c */ -}}  x{{ nofn }}',
    '{{/**/}}{{ nofn }}',
    '{{/* c */}}}{{ nofn }}',
    '{{/*/}}',
    '{{ .X }}{{- /* a */ -}}{{ .Y }}{{ nofn }}',
    '{{"a"}}{{`b`}}{{nofn}}',
    '{{ print "a" "b"}}{{ (print "a"|printf "%s") }}{{nofn}}',
    '{{ $x := 1 }}{{ $x := 2 }}{{ nofn }}',
    '{{ range $x := . }}{{ $x }}{{ end }}{{ nofn }}',
    '{{ range $i, $x := . }}{{ break }}{{ continue }}{{ end }}{{ nofn }}',
    '{{ if . }}{{ range . }}{{ end }}{{ break }}{{ end }}',
    '{{ range . }}{{ if . }}{{ break }}{{ end }}{{ end }}{{ nofn }}',
    '{{ range . }}{{ else }}{{ break }}{{ end }}',
    '{{ with . }}{{ else with . }}{{ else }}{{ end }}{{ nofn }}',
    '{{ if . }}{{ else if . }}{{ else if . }}{{ else }}{{ end }}{{ end }}',
    '{{ template "x" . | print }}{{ nofn }}',
    '{{ block "x" . | print }}{{ end }}{{ nofn }}',
    '{{define "x"}}{{end}}{{define "x"}}{{end}}{{nofn}}',
    '{{ define `x` }}a{{ end }}{{ define "x" }}b{{ end }}',
    '{{ 1 }}{{ . | print | printf "%v" . }}{{ nofn }}',
    '{{ $ }}{{ $.X }}{{ $x := $ }}{{ $x.Y }}{{ nofn }}',
    '{{ .X | .Y }}{{ nofn }}',
    '{{ $x := 1 }}{{ .X | $x }}{{ nofn }}',
    '{{ (.X) | (print) }}{{ nofn }}',
]

# Templates that parse but fail while executing: Helm's error shows `LINE:COL` and the
# String() of a node, which checks our node positions and Display against Go.
POSITION_CASES = [
    '{{ .Values.a.b.c }}',
    '{{ $x := dict }}{{ $x.a.b }}',
    '{{ (dict).a.b }}',
    '{{ index 1 2 }}',
    '{{ template "nope" }}',
    '{{ . . }}',
    '{{ 1 2 }}',
    '{{ include "x" . }}',
    'a\n  {{ .Values.a.b }}',
    '{{ if .Values.a.b }}{{ end }}',
    '{{ range $i, $v := .Values.a.b }}{{ end }}',
    '{{ with $x := 1 }}{{ $x.y }}{{ end }}',
    '{{ (1).y }}',
    '{{ print (len 1) }}',
    '{{ $.Values.a.b }}',
    '{{ and 1 (index 1 2) }}',
    '{{ 1 | len }}',
    'a  \n  {{- .Values.a.b }}',
    '{{ define "d" }}\n {{ .x.y }}{{ end }}{{ template "d" 1 }}',
    '{{ block "b" 1 }}{{ .x }}{{ end }}',
    '{{ .Values.a.b | quote }}',
    '{{/* a\nb */}}\n{{ .Values.a.b }}',
    '{{ `x\ny` }}{{ .Values.a.b }}',
    '{{ printf "%d" (1).y }}',
    '{{ $x := list }}{{ $x.a }}',
    '{{ range $i := 1.5 }}{{ end }}',
    '{{ print 1 | index 2 }}',
    '{{ "abc" | printf "%s %s" (index 1 2) }}',
    '{{ 1.5e3 | len }}',
    '{{ \'a\' | len }}',
    '{{ nil | len }}',
    '{{ true | len }}',
    '{{ $x := 1 }}{{ $x = (index 1 2) }}',
    '{{ with .Values.a.b }}{{ end }}',
    '{{ if 1 }}{{ else if .Values.a.b }}{{ end }}',
    '{{ template "d" }}{{ define "d" }}{{ .Values.a.b }}{{ end }}',
]


def escape(s):
    return s.replace('\\', '\\\\').replace('\t', '\\t').replace('\r', '\\r').replace('\n', '\\n')


def main():
    helm_eval = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/tools/helm-eval'
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = os.path.join(here, '..', 'tests', 'data', 'parse_errors.tsv')
    lines = []
    for case in CASES:
        p = subprocess.run([helm_eval, '-'], input=case, capture_output=True, text=True)
        if p.returncode == 0:
            result = 'OK'
        else:
            result = p.stderr.strip().split('\n')[0]
        lines.append(escape(case) + '\t' + escape(result) + '\n')
        print(escape(case), '=>', result, file=sys.stderr)
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, 'w') as f:
        f.writelines(lines)
    lines = []
    for case in POSITION_CASES:
        p = subprocess.run([helm_eval, '-'], input=case, capture_output=True, text=True)
        result = 'OK' if p.returncode == 0 else p.stderr.strip().split('\n')[0]
        lines.append(escape(case) + '\t' + escape(result) + '\n')
        print(escape(case), '=>', result, file=sys.stderr)
    with open(os.path.join(here, '..', 'tests', 'data', 'exec_positions.tsv'), 'w') as f:
        f.writelines(lines)


if __name__ == '__main__':
    main()
