#!/usr/bin/env python3
"""Generate the loader conformance cases under tests/loader/cases/<name>/.

usage: scripts/gen-loader-cases.py

Every case is a directory holding a small chart tree `chart/...`, optional extra files next to it
(values files, --set-file inputs) and `args` (one command-line argument per line, starting with
`template`). The expected results are recorded from helm by scripts/record-loader.py; this script
only writes the inputs (it removes and rewrites `chart/` and `args`, keeping recorded files).
To add a case, add a `case(...)` call below and run both scripts.
"""
import os
import io
import shutil
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, 'tests', 'loader', 'cases')

CHART = 'apiVersion: v2\nname: c\nversion: 0.1.0\n'
# A template that dumps all values as one JSON line (valid YAML flow mapping).
DUMP = {'templates/v.yaml': 'v: {{ toJson .Values }}\n'}
ALL = {}


def chart_yaml(name='c', extra=''):
    return f'apiVersion: v2\nname: {name}\nversion: 0.1.0\n{extra}'


def case(name, files, args=(), argv=None, chart=True, side=None):
    """files: paths inside chart/ -> text (Chart.yaml defaults to CHART unless chart=False);
    side: files in the case directory itself; args: flags after `template rel chart`."""
    assert name not in ALL, name
    files = dict(files)
    if chart and 'Chart.yaml' not in files:
        files['Chart.yaml'] = CHART
    argv = list(argv) if argv is not None else ['template', 'rel', 'chart']
    ALL[name] = (files, side or {}, argv + list(args))


def dump(name, values=None, args=(), side=None, extra=None):
    files = dict(DUMP)
    if values is not None:
        files['values.yaml'] = values
    files.update(extra or {})
    case(name, files, args, side=side)


def tpl(name, text, values=None, args=(), extra=None, side=None, chart_extra=''):
    files = {'templates/t.yaml': text, 'Chart.yaml': chart_yaml(extra=chart_extra)}
    if values is not None:
        files['values.yaml'] = values
    files.update(extra or {})
    case(name, files, args, side=side)


# ---------------------------------------------------------------- values quirks
dump('values_yaml11_keys', 'on: 1\nyes: 2\ny: 3\nno: 4\noff: 5\nn: 6\ntrue: 7\n')
dump('values_yaml11_bools', 'a: yes\nb: On\nc: off\nd: TRUE\ne: n\nf: y\ng: False\n')
dump('values_numbers', 'a: 1e3\nb: 0x1F\nc: 0o17\nd: 017\ne: 1_000\nf: .5\ng: 1.0\n'
     'h: 12345678901234567890\ni: +1\nj: -0\nk: 9223372036854775807\nl: 1.5e-7\n')
dump('values_strings', 's1: "012"\ns2: \'yes\'\ns3: 2020-01-01\ns4: ~\ns5: 1:20\ns6: "1e3"\n'
     's7: |\n  multi\n  line\nempty:\n')
tpl('values_float_print', 'a: {{ .Values.a }}\nb: {{ .Values.b }}\nc: {{ .Values.c }}\n'
    'd: {{ .Values.d }}\n', 'a: 1000000\nb: 1e6\nc: 1.5\nd: 123456789012\n')
dump('values_null_deletes_default', 'a:\n  b: 1\n  c: 2\nd: 3\n', ['-f', 'o.yaml'],
     side={'o.yaml': 'a:\n  b: null\nd: null\n'})
dump('values_set_null_deletes', 'a:\n  b: 1\n  c: 2\n', ['--set', 'a.b=null'])
dump('values_f_merge_order', 'a: 0\nm:\n  x: 0\n  y: 0\n',
     ['-f', 'one.yaml', '-f', 'two.yaml'],
     side={'one.yaml': 'a: 1\nm:\n  x: 1\nl: [1, 2]\n', 'two.yaml': 'a: 2\nm:\n  y: 2\nl: [3]\n'})
dump('values_f_comma_list', 'a: 0\n', ['-f', 'one.yaml,two.yaml'],
     side={'one.yaml': 'a: 1\nb: 1\n', 'two.yaml': 'a: 2\n'})
dump('values_f_missing', 'a: 0\n', ['-f', 'nope.yaml'])
dump('values_f_invalid', 'a: 0\n', ['-f', 'bad.yaml'], side={'bad.yaml': 'a: [1\n'})
dump('values_f_list_top', 'a: 0\n', ['-f', 'bad.yaml'], side={'bad.yaml': '- 1\n- 2\n'})
dump('values_f_empty', 'a: 0\n', ['-f', 'e.yaml'], side={'e.yaml': ''})
dump('values_invalid_chart_values', 'a: [\n')
dump('values_empty_file', '')
dump('values_list_replaced', 'l: [1, 2, 3]\n', ['-f', 'o.yaml'], side={'o.yaml': 'l: [9]\n'})
dump('values_map_over_scalar', 'a: 1\n', ['-f', 'o.yaml'], side={'o.yaml': 'a:\n  b: 2\n'})
dump('values_scalar_over_map', 'a:\n  b: 1\n', ['-f', 'o.yaml'], side={'o.yaml': 'a: 2\n'})
dump('values_anchors', 'base: &b\n  x: 1\n  y: 2\nderived:\n  <<: *b\n  y: 3\n')
dump('values_dup_key', 'a: 1\na: 2\n')
dump('values_unicode', 'k: "caf\\u00e9 ✓"\n"ключ": 1\n')

# ---------------------------------------------------------------- --set grammar
dump('set_scalars', 'x: 0\n', ['--set', 'a=1,b=true,c=1.5,d=0123,e=1e3,f=abc,g=false,h=-7'])
dump('set_nested', None, ['--set', 'a.b.c=1,a.b.d=2,a.e=x'])
dump('set_list_braces', None, ['--set', 'a={x,y,z}'])
dump('set_list_braces_then_key', None, ['--set', 'a={1,2},b=3'])
dump('set_list_empty_braces', None, ['--set', 'a={}'])
dump('set_index', None, ['--set', 'a[0]=x,a[1]=y'])
dump('set_index_padding', None, ['--set', 'a[2]=x'])
dump('set_index_nested_map', None, ['--set', 'a[0].b=1,a[0].c=2,a[1].b=3'])
dump('set_index_nested_list', None, ['--set', 'a[0][1]=x'])
dump('set_index_into_values_list', 'a: [1, 2, 3]\n', ['--set', 'a[1]=9'])
dump('set_index_too_big', None, ['--set', 'a[100000]=1'])
dump('set_index_negative', None, ['--set', 'a[-1]=1'])
dump('set_index_bad', None, ['--set', 'a[x]=1'])
dump('set_escaped_dot', None, ['--set', r'a\.b=1'])
dump('set_escaped_comma', None, ['--set', r'a=x\,y'])
dump('set_escaped_equals', None, ['--set', r'a=x\=y'])
dump('set_escaped_brace', None, ['--set', r'a=\{x\}'])
dump('set_empty_value', None, ['--set', 'a='])
dump('set_no_equals', None, ['--set', 'a'])
dump('set_key_only_comma', None, ['--set', 'a=1,b'])
dump('set_null_string', None, ['--set', 'a=null'])
dump('set_big_int', None, ['--set', 'a=99999999999999999999,b=9223372036854775807'])
dump('set_hex', None, ['--set', 'a=0x10,b=1_000'])
dump('set_repeat_later_wins', None, ['--set', 'a=1', '--set', 'a=2'])
dump('set_overrides_map_with_scalar', 'a:\n  b: 1\n', ['--set', 'a=3'])
dump('set_into_scalar', 'a: 1\n', ['--set', 'a.b=3'])
dump('set_spaces', None, ['--set', 'a b=c d'])
dump('set_value_with_colon', None, ['--set', 'url=http://x:80/p'])
dump('set_list_of_quoted', None, ['--set', 'a={"x","y"}'])
dump('set_list_nested_braces', None, ['--set', 'a={b={c}}'])
dump('set_index_then_list', None, ['--set', 'a[0]={x,y}'])
dump('set_trailing_comma', None, ['--set', 'a=1,'])
dump('set_leading_dot', None, ['--set', '.a=1'])
dump('set_double_dot', None, ['--set', 'a..b=1'])
dump('set_unclosed_bracket', None, ['--set', 'a[0=1'])

# ---------------------------------------------------------------- other --set flavours
dump('set_string_basic', None, ['--set-string', 'a=1,b=true,c=null,d=1.5'])
dump('set_string_nested_index', None, ['--set-string', 'a.b[0]=1,a.b[1]=2'])
dump('set_string_list', None, ['--set-string', 'a={1,2}'])
dump('set_file_basic', None, ['--set-file', 'a=f.txt'], side={'f.txt': 'line1\nline2\n'})
dump('set_file_nested', None, ['--set-file', 'a.b=f.txt'], side={'f.txt': '123'})
dump('set_file_missing', None, ['--set-file', 'a=nope.txt'])
dump('set_json_object', None, ['--set-json', 'a={"b":1,"c":[1,2],"d":null}'])
dump('set_json_list', None, ['--set-json', 'a=[1,"x",true]'])
dump('set_json_scalar_types', None, ['--set-json', 'a=1.5', '--set-json', 'b="s"', '--set-json', 'c=9007199254740993'])
dump('set_json_invalid', None, ['--set-json', 'a={b}'])
dump('set_json_null_deletes', 'a: 1\nb: 2\n', ['--set-json', 'a=null'])
dump('set_json_multi_in_one', None, ['--set-json', 'a=1,b=2'])
dump('set_json_nested_key', None, ['--set-json', 'a.b[1]={"c":1}'])
dump('set_literal_basic', None, ['--set-literal', 'a=x,y={z}'])
dump('set_literal_nested', None, ['--set-literal', r'a.b=1\,2'])
dump('set_literal_number', None, ['--set-literal', 'a=1'])
dump('prec_by_flag_type', 'a: f0\nb: f0\nc: f0\nd: f0\ne: f0\n',
     ['--set-literal', 'a=lit', '--set-file', 'a=f.txt,b=f.txt', '--set-string', 'a=str,b=str,c=str',
      '--set', 'a=set,b=set,c=set,d=set', '--set-json', 'a="json",b="json",c="json",d="json",e="json"',
      '-f', 'o.yaml'],
     side={'f.txt': 'file', 'o.yaml': 'a: o\nb: o\nc: o\nd: o\ne: o\nf: o\n'})
dump('prec_set_over_f_reversed', 'a: 0\n', ['--set', 'a=set', '-f', 'o.yaml'], side={'o.yaml': 'a: file\n'})
dump('prec_json_then_set_merge', None, ['--set', 'a.c=2', '--set-json', 'a={"b":1}'])

# ---------------------------------------------------------------- subcharts
SUB = {
    'charts/sub/Chart.yaml': chart_yaml('sub'),
    'charts/sub/values.yaml': 'x: subdefault\ny: subdefault\n',
    'charts/sub/templates/s.yaml': 'sub: {{ toJson .Values }}\n',
}


def parent(name, values='', chart_extra='', sub=None, args=(), extra=None, parent_tpl=True):
    files = dict(sub if sub is not None else SUB)
    files['Chart.yaml'] = chart_yaml(extra=chart_extra)
    files['values.yaml'] = values
    if parent_tpl:
        files['templates/p.yaml'] = 'parent: {{ toJson .Values }}\n'
    files.update(extra or {})
    case(name, files, args)


DEP = 'dependencies:\n- name: sub\n  version: 0.1.0\n'
parent('sub_basic', 'sub:\n  x: fromparent\n')
parent('sub_undeclared', 'a: 1\n', chart_extra='')
parent('sub_declared', 'a: 1\n', chart_extra=DEP)
parent('sub_set_override', '', args=['--set', 'sub.y=cli'])
parent('sub_condition_false', 'sub:\n  enabled: false\n', chart_extra=DEP + '  condition: sub.enabled\n')
parent('sub_condition_true', 'sub:\n  enabled: true\n', chart_extra=DEP + '  condition: sub.enabled\n')
parent('sub_condition_missing_path', '', chart_extra=DEP + '  condition: sub.enabled\n')
parent('sub_condition_multi', 'b: false\n', chart_extra=DEP + '  condition: nope.x,b\n')
parent('sub_condition_nonbool', 'sub:\n  enabled: "no"\n', chart_extra=DEP + '  condition: sub.enabled\n')
parent('sub_condition_set_cli', 'sub:\n  enabled: true\n', chart_extra=DEP + '  condition: sub.enabled\n',
       args=['--set', 'sub.enabled=false'])
parent('sub_tags_false', 'tags:\n  front: false\n', chart_extra=DEP + '  tags: [front]\n')
parent('sub_tags_any_true', 'tags:\n  front: false\n  back: true\n', chart_extra=DEP + '  tags: [front, back]\n')
parent('sub_condition_beats_tags', 'tags:\n  front: false\nsub:\n  enabled: true\n',
       chart_extra=DEP + '  tags: [front]\n  condition: sub.enabled\n')
# `on` is the YAML 1.1 bool true: the values key becomes "true" and `sub.on` is never found.
parent('sub_condition_yaml11_on_key', 'tags:\n  front: false\nsub:\n  on: true\n',
       chart_extra=DEP + '  tags: [front]\n  condition: sub.on\n')
parent('sub_alias', 'one:\n  x: first\ntwo:\n  x: second\n',
       chart_extra='dependencies:\n- name: sub\n  version: 0.1.0\n  alias: one\n'
                   '- name: sub\n  version: 0.1.0\n  alias: two\n')
parent('sub_alias_chart_name', '', extra={'charts/sub/templates/n.yaml': 'name: {{ .Chart.Name }}\n'},
       chart_extra='dependencies:\n- name: sub\n  version: 0.1.0\n  alias: renamed\n')
parent('sub_missing_dep', '', chart_extra='dependencies:\n- name: absent\n  version: 0.1.0\n')
parent('sub_import_values_exports', '',
       sub=dict(SUB, **{'charts/sub/values.yaml': 'exports:\n  data:\n    imported: yes-it-is\nx: 1\n'}),
       chart_extra=DEP + '  import-values:\n  - data\n')
parent('sub_import_values_child_parent', 'dest:\n  keep: 1\n',
       sub=dict(SUB, **{'charts/sub/values.yaml': 'deep:\n  a: 1\n  b: 2\n'}),
       chart_extra=DEP + '  import-values:\n  - child: deep\n    parent: dest\n')
parent('sub_import_values_parent_wins', 'dest:\n  a: parent\n',
       sub=dict(SUB, **{'charts/sub/values.yaml': 'deep:\n  a: child\n  b: child\n'}),
       chart_extra=DEP + '  import-values:\n  - child: deep\n    parent: dest\n')
parent('sub_global_propagation', 'global:\n  g: parentglobal\n',
       sub=dict(SUB, **{'charts/sub/values.yaml': 'global:\n  g: subglobal\n  h: subonly\n'}))
parent('sub_global_set', '', args=['--set', 'global.z=1'])
parent('sub_nested', 'sub:\n  deep:\n    x: fromtop\n  x: 1\nglobal:\n  g: 1\n',
       sub=dict(SUB, **{'charts/sub/charts/deep/Chart.yaml': chart_yaml('deep'),
                        'charts/sub/charts/deep/values.yaml': 'x: deepdefault\nz: 1\n',
                        'charts/sub/charts/deep/templates/d.yaml':
                            'deep: {{ toJson .Values }}\nchart: {{ .Chart.Name }}\n'
                            'base: {{ .Template.BasePath }}\n'}))
parent('sub_chart_and_template', '', sub=dict(SUB, **{
    'charts/sub/templates/n.yaml': 'n: {{ .Chart.Name }}\nt: {{ .Template.Name }}\nb: {{ .Template.BasePath }}\n'}))
parent('sub_library', 'who: parent\n', parent_tpl=False, sub={
    'charts/lib/Chart.yaml': chart_yaml('lib', 'type: library\n'),
    'charts/lib/values.yaml': 'libval: 1\n',
    'charts/lib/templates/_h.tpl': '{{ define "lib.hello" }}hello {{ .Values.who }}{{ end }}\n',
    'charts/lib/templates/notrendered.yaml': 'lib: rendered\n',
}, extra={'templates/p.yaml': 'x: {{ include "lib.hello" . }}\nv: {{ toJson .Values }}\n'})
parent('sub_dup_define', '', parent_tpl=False, sub={
    'charts/sub/Chart.yaml': chart_yaml('sub'),
    'charts/sub/templates/_h.tpl': '{{ define "same" }}from-sub{{ end }}\n',
    'charts/sub/templates/s.yaml': 's: {{ include "same" . }}\n',
}, extra={'templates/_h.tpl': '{{ define "same" }}from-parent{{ end }}\n',
          'templates/p.yaml': 'p: {{ include "same" . }}\n'})
parent('sub_dup_define_siblings', '', parent_tpl=False, sub={
    'charts/aaa/Chart.yaml': chart_yaml('aaa'),
    'charts/aaa/templates/_h.tpl': '{{ define "same" }}from-aaa{{ end }}\n',
    'charts/zzz/Chart.yaml': chart_yaml('zzz'),
    'charts/zzz/templates/_h.tpl': '{{ define "same" }}from-zzz{{ end }}\n',
}, extra={'templates/p.yaml': 'p: {{ include "same" . }}\n'})
parent('sub_v1_requirements', 'sub:\n  enabled: false\n', parent_tpl=True,
       extra={'Chart.yaml': 'apiVersion: v1\nname: c\nversion: 0.1.0\n',
              'requirements.yaml': 'dependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.enabled\n'})
parent('sub_subcharts_object', '', parent_tpl=False,
       extra={'templates/p.yaml': 'n: {{ .Subcharts.sub.Name }}\nv: {{ .Subcharts.sub.Metadata.Version }}\n'})
parent('sub_subcharts_values', 'sub:\n  x: p\n', parent_tpl=False,
       extra={'templates/p.yaml': 'n: {{ .Subcharts.sub.Chart.Name }}\nv: {{ .Subcharts.sub.Values.x }}\n'})
parent('sub_values_parent_null_deletes', 'sub:\n  x: null\n')
parent('sub_release_in_sub', '', args=['--namespace', 'ns1'], sub=dict(SUB, **{
    'charts/sub/templates/r.yaml': 'r: {{ .Release.Name }}/{{ .Release.Namespace }}\n'}))
parent('sub_show_only', '', args=['--show-only', 'charts/sub/templates/s.yaml'])

# ---------------------------------------------------------------- built-in objects
REL = ('name: {{ .Release.Name }}\nns: {{ .Release.Namespace }}\nsvc: {{ .Release.Service }}\n'
       'inst: {{ .Release.IsInstall }}\nupg: {{ .Release.IsUpgrade }}\nrev: {{ .Release.Revision }}\n')
tpl('release_default', REL)
tpl('release_namespace', REL, args=['--namespace', 'prod'])
tpl('release_namespace_short', REL, args=['-n', 'short'])
tpl('release_is_upgrade', REL, args=['--is-upgrade'])
CHARTF = ('name: {{ .Chart.Name }}\nver: {{ .Chart.Version }}\napp: {{ .Chart.AppVersion }}\n'
          'api: {{ .Chart.APIVersion }}\ndesc: {{ .Chart.Description }}\ntype: {{ .Chart.Type }}\n'
          'kw: {{ .Chart.Keywords }}\nhome: {{ .Chart.Home }}\nann: {{ .Chart.Annotations }}\n'
          'dep: {{ .Chart.Deprecated }}\nkv: {{ .Chart.KubeVersion }}\nsrc: {{ .Chart.Sources }}\n'
          'maint: {{ range .Chart.Maintainers }}{{ .Name }}<{{ .Email }}>{{ end }}\n')
case('chart_fields', {'templates/t.yaml': CHARTF, 'Chart.yaml': chart_yaml(extra=(
    'appVersion: "1.2.3"\ndescription: A chart\ntype: application\nkeywords: [a, b]\nhome: https://x\n'
    'annotations:\n  k: v\ndeprecated: true\nsources: [https://s]\n'
    'maintainers:\n- name: Me\n  email: me@x\n'))})
case('chart_appversion_float', {'templates/t.yaml': CHARTF,
                                'Chart.yaml': chart_yaml(extra='appVersion: 1.10\n')})
case('chart_appversion_int', {'templates/t.yaml': CHARTF,
                              'Chart.yaml': chart_yaml(extra='appVersion: 2\n')})
case('chart_version_float', {'templates/t.yaml': CHARTF,
                             'Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0\n'})
case('chart_version_invalid', {'templates/t.yaml': CHARTF,
                               'Chart.yaml': 'apiVersion: v2\nname: c\nversion: notsemver\n'})
case('chart_missing_name', {'templates/t.yaml': CHARTF,
                            'Chart.yaml': 'apiVersion: v2\nversion: 0.1.0\n'})
case('chart_missing_apiversion', {'templates/t.yaml': CHARTF,
                                  'Chart.yaml': 'name: c\nversion: 0.1.0\n'})
case('chart_no_chart_yaml', {'templates/t.yaml': 'a: 1\n'}, chart=False)
case('chart_path_missing', {}, argv=['template', 'rel', 'nochart'])
case('chart_path_missing_dot', {}, argv=['template', 'rel', './nochart'])
case('chart_unknown_field', {'templates/t.yaml': 'a: {{ .Chart.Name }}\n',
                             'Chart.yaml': chart_yaml(extra='bogus: 1\n')})
case('chart_type_invalid', {'templates/t.yaml': 'a: 1\n', 'Chart.yaml': chart_yaml(extra='type: weird\n')})
case('chart_library_root', {'templates/t.yaml': 'a: 1\n', 'Chart.yaml': chart_yaml(extra='type: library\n')})
CAPS = ('kv: {{ .Capabilities.KubeVersion }}\nmaj: {{ .Capabilities.KubeVersion.Major }}\n'
        'min: {{ .Capabilities.KubeVersion.Minor }}\nver: {{ .Capabilities.KubeVersion.Version }}\n'
        'apps: {{ .Capabilities.APIVersions.Has "apps/v1" }}\n'
        'dep: {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }}\n'
        'foo: {{ .Capabilities.APIVersions.Has "foo.io/v1" }}\n'
        'fook: {{ .Capabilities.APIVersions.Has "foo.io/v1/Bar" }}\n'
        'helm: {{ .Capabilities.HelmVersion.Version }}\n')
tpl('caps_default', CAPS)
tpl('caps_kube_version', CAPS, args=['--kube-version', '1.25.3'])
tpl('caps_kube_version_v', CAPS, args=['--kube-version', 'v1.30'])
tpl('caps_kube_version_invalid', CAPS, args=['--kube-version', 'banana'])
tpl('caps_api_versions', CAPS, args=['--api-versions', 'foo.io/v1', '-a', 'foo.io/v1/Bar'])
tpl('caps_api_versions_comma', CAPS, args=['--api-versions', 'foo.io/v1,x/v2'])
tpl('caps_semver_compare', '{{ if semverCompare ">=1.28-0" .Capabilities.KubeVersion.GitVersion }}new{{ else }}old{{ end }}: 1\n',
    args=['--kube-version', '1.27.0'])
tpl('template_name', 'n: {{ .Template.Name }}\nb: {{ .Template.BasePath }}\ni: {{ include "x" . }}\n',
    extra={'templates/_x.tpl': '{{ define "x" }}{{ .Template.Name }}{{ end }}'})
FILES_EXTRA = {'files/a.txt': 'alpha\n', 'files/b.txt': 'beta\nline2\n', 'files/c.conf': 'k=v\n',
               'top.txt': 'top\n'}
tpl('files_get', 'a: {{ .Files.Get "files/a.txt" | quote }}\nmissing: {{ .Files.Get "nope" | quote }}\n'
    'top: {{ .Files.Get "top.txt" | quote }}\n', extra=FILES_EXTRA)
tpl('files_getbytes', 'a: {{ .Files.GetBytes "files/a.txt" }}\n', extra=FILES_EXTRA)
tpl('files_glob', 'l:\n{{ range $p, $_ := .Files.Glob "files/*.txt" }}- {{ $p }}\n{{ end }}'
    'all: {{ len (.Files.Glob "**") }}\n', extra=FILES_EXTRA)
tpl('files_lines', 'l:\n{{ range .Files.Lines "files/b.txt" }}- {{ . | quote }}\n{{ end }}', extra=FILES_EXTRA)
tpl('files_asconfig', 'data:\n{{ (.Files.Glob "files/*").AsConfig | indent 2 }}\n', extra=FILES_EXTRA)
tpl('files_assecrets', 'data:\n{{ (.Files.Glob "files/*").AsSecrets | indent 2 }}\n', extra=FILES_EXTRA)
tpl('files_no_templates_or_values', 'chart: {{ .Files.Get "Chart.yaml" | quote }}\n'
    'values: {{ .Files.Get "values.yaml" | quote }}\ntpl: {{ .Files.Get "templates/t.yaml" | len }}\n',
    values='a: 1\n')
tpl('files_glob_subdir', 'l:\n{{ range $p, $_ := .Files.Glob "files/**" }}- {{ $p }}\n{{ end }}',
    extra=dict(FILES_EXTRA, **{'files/sub/d.txt': 'd\n'}))

# ---------------------------------------------------------------- output ordering, hooks, CRDs
KINDS = {
    'templates/a.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n---\n'
                        'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n',
    'templates/b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n---\n'
                        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n'
                        'apiVersion: x.io/v1\nkind: Widget\nmetadata:\n  name: w\n',
    'templates/c.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n---\n'
                        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n'
                        '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: sec\n',
}
case('order_by_kind', KINDS)
case('order_same_kind_files', {
    'templates/z.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: z\n',
    'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    'templates/m/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n'})
case('order_empty_docs', {'templates/a.yaml': '---\n---\na: 1\n---\n\n---\n# only comment\n',
                          'templates/empty.yaml': '{{- if false }}x: 1{{ end }}\n',
                          'templates/ws.yaml': '   \n\n'})
case('order_helpers_not_rendered', {'templates/_helpers.tpl': 'x: 1\n', 'templates/a.yaml': 'a: 1\n',
                                    'templates/notes.md': 'not yaml: [\n', 'templates/t.txt': 'b: 2\n'})
case('order_invalid_yaml_doc', {'templates/a.yaml': 'a: [\n'})
case('order_no_kind', {'templates/a.yaml': 'apiVersion: v1\nmetadata:\n  name: x\n'})
HOOKS = {
    'templates/pre.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: pre\n  annotations:\n'
                          '    helm.sh/hook: pre-install\n    helm.sh/hook-weight: "5"\n',
    'templates/pre2.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: pre2\n  annotations:\n'
                           '    helm.sh/hook: pre-install,post-install\n    helm.sh/hook-weight: "-5"\n',
    'templates/test.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n'
                           '    helm.sh/hook: test\n',
    'templates/unknown.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: u\n  annotations:\n'
                              '    helm.sh/hook: not-a-hook\n',
    'templates/plain.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n',
}
case('hooks_default', HOOKS)
case('hooks_no_hooks', HOOKS, ['--no-hooks'])
case('hooks_skip_tests', HOOKS, ['--skip-tests'])
case('hooks_test_success_legacy', {'templates/t.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n'
                                   '  annotations:\n    helm.sh/hook: test-success\n'}, ['--skip-tests'])
case('hooks_show_only', HOOKS, ['--show-only', 'templates/pre.yaml'])
CRDS = {'crds/w.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n'
                       'metadata:\n  name: widgets.x.io\n',
        'crds/notyaml.txt': 'ignored\n',
        'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n'}
case('crds_default', CRDS)
case('crds_include', CRDS, ['--include-crds'])
case('crds_include_subchart', dict(CRDS, **{
    'charts/sub/Chart.yaml': chart_yaml('sub'),
    'charts/sub/crds/s.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n'
                              'metadata:\n  name: subs.x.io\n'}), ['--include-crds'])
case('crds_skip', CRDS, ['--include-crds', '--skip-crds'])

# ---------------------------------------------------------------- --show-only, names, misc
case('show_only_one', KINDS, ['--show-only', 'templates/b.yaml'])
case('show_only_two', KINDS, ['-s', 'templates/c.yaml', '-s', 'templates/a.yaml'])
case('show_only_missing', KINDS, ['--show-only', 'templates/nope.yaml'])
case('show_only_glob', KINDS, ['--show-only', 'templates/*.yaml'])
case('show_only_chart_prefix', KINDS, ['--show-only', 'c/templates/a.yaml'])
for n, rel in [('upper', 'Rel'), ('underscore', 'my_rel'), ('dot', 'a.b'), ('dash', 'a-b-1'),
               ('long54', 'a' * 54), ('long53', 'a' * 53), ('leading_dash', 'x-')]:
    case(f'release_name_{n}', {'templates/t.yaml': 'n: {{ .Release.Name }}\n'},
         argv=['template', rel, 'chart'])
case('release_name_omitted', {'templates/t.yaml': 'n: {{ .Release.Name }}\n'}, argv=['template', 'chart'])
case('release_name_template', {'templates/t.yaml': 'n: {{ .Release.Name }}\n'},
     argv=['template', 'chart', '--name-template', 'fixed-{{ "x" }}'])
for n, c, kv in [('ok', '>=1.20.0-0', None), ('fail', '<1.10.0', None), ('flag_ok', '~1.25.0', '1.25.9'),
                 ('flag_fail', '>=1.30.0', '1.29.0'), ('invalid', 'not a constraint', None)]:
    case(f'kubeversion_{n}', {'templates/t.yaml': 'a: 1\n', 'Chart.yaml': chart_yaml(extra=f'kubeVersion: "{c}"\n')},
         ['--kube-version', kv] if kv else [])
SCHEMA = ('{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",'
          ' "required": ["port"], "properties": {"port": {"type": "integer", "minimum": 1},'
          ' "name": {"type": "string"}}}')
tpl('schema_valid', 'p: {{ .Values.port }}\n', 'port: 80\n', extra={'values.schema.json': SCHEMA})
tpl('schema_type_error', 'p: {{ .Values.port }}\n', 'port: "80"\n', extra={'values.schema.json': SCHEMA})
tpl('schema_required_missing', 'p: {{ .Values.port }}\n', 'name: x\n', extra={'values.schema.json': SCHEMA})
tpl('schema_set_fixes', 'p: {{ .Values.port }}\n', 'port: "80"\n', extra={'values.schema.json': SCHEMA},
    args=['--set', 'port=8080'])
tpl('schema_skip', 'p: {{ .Values.port }}\n', 'port: "80"\n', extra={'values.schema.json': SCHEMA},
    args=['--skip-schema-validation'])
tpl('schema_invalid_json', 'p: 1\n', 'port: 1\n', extra={'values.schema.json': '{not json'})
parent('schema_subchart_error', 'sub:\n  x: 5\n', sub=dict(SUB, **{
    'charts/sub/values.schema.json': '{"properties": {"x": {"type": "string"}}}'}))
tpl('helmignore_template', 'a: 1\n', extra={'.helmignore': 'templates/skip.yaml\n*.bak\n',
                                            'templates/skip.yaml': 'skipped: 1\n',
                                            'templates/k.yaml.bak': 'b: 1\n'})
tpl('helmignore_files', 'l:\n{{ range $p, $_ := .Files.Glob "**" }}- {{ $p }}\n{{ end }}',
    extra={'.helmignore': '# comment\n*.secret\ndocs/\n', 'a.secret': 's\n', 'keep.secret': 'k\n',
           'docs/x.md': 'x\n', 'ok.txt': 'ok\n'})
tpl('helmignore_negation', 'l:\n{{ range $p, $_ := .Files.Glob "**" }}- {{ $p }}\n{{ end }}',
    extra={'.helmignore': '# comment\n*.secret\ndocs/\n!keep.secret\n', 'a.secret': 's\n', 'keep.secret': 'k\n',
           'docs/x.md': 'x\n', 'ok.txt': 'ok\n'})
tpl('helmignore_subchart_dir', 'a: 1\n', extra={'.helmignore': 'charts/\n', 'charts/sub/Chart.yaml': chart_yaml('sub'),
                                               'charts/sub/templates/s.yaml': 'sub: 1\n'})
tpl('notes_not_printed', 'a: 1\n', extra={'templates/NOTES.txt': 'Thanks {{ .Release.Name }}\n'})
tpl('notes_error', 'a: 1\n', extra={'templates/NOTES.txt': '{{ fail "notes failed" }}\n'})
parent('notes_subchart', '', sub=dict(SUB, **{'charts/sub/templates/NOTES.txt': 'sub notes\n'}))
tpl('template_fail', '{{ fail "boom" }}\n')
tpl('template_required', '{{ required "need x" .Values.x }}\n')
tpl('template_parse_error', '{{ if }}\n')
tpl('template_missing_func', '{{ nosuchfunc }}\n')
tpl('template_tpl_values', 'a: {{ tpl .Values.t . }}\n', 't: "{{ .Release.Name }}-x"\n')
tpl('template_lookup_empty', 'a: {{ lookup "v1" "Pod" "ns" "p" | toJson }}\n')
tpl('template_dns_disabled', 'a: {{ getHostByName "localhost" | quote }}\n')

# ---------------------------------------------------------------- more edge cases
case('chart_path_repo_ref', {}, argv=['template', 'rel', 'a/b'])
case('chart_path_abs_missing', {}, argv=['template', 'rel', '/nonexistent/chart'])
case('order_values_error_before_chart_error', {'templates/t.yaml': 'a: 1\n',
                                                'Chart.yaml': 'apiVersion: v2\nversion: 0.1.0\n'},
     ['-f', 'nope.yaml'])
case('order_set_error_before_chart_error', {'templates/t.yaml': 'a: 1\n',
                                             'Chart.yaml': 'apiVersion: v2\nversion: 0.1.0\n'},
     ['--set', 'a[x]=1'])
case('order_name_error_vs_template_error', {'templates/t.yaml': '{{ fail "x" }}\n'},
     argv=['template', 'BAD', 'chart'])
dump('values_int_keys', '1: a\n2.5: b\nnull: c\n')
dump('set_yaml11_key_stays', None, ['--set', 'on=1,yes=y'])
dump('set_numeric_key', 'a:\n  "1": x\n', ['--set', 'a.1=y'])
tpl('values_toyaml_order', '{{ toYaml .Values }}\n', 'z: 1\na:\n  y: [1, {b: 2}]\n  c: "x"\nm: {}\n')
tpl('values_kind_of', 'a: {{ kindOf .Values.a }}\nb: {{ kindOf .Values.b }}\nc: {{ kindOf .Values.c }}\n'
    'd: {{ kindOf .Values.d }}\n', 'a: 1\nb: 1.5\nc: 1e3\n', args=['--set', 'd=7'])
tpl('set_kind_of', 'a: {{ kindOf .Values.a }}\nb: {{ kindOf .Values.b }}\nc: {{ kindOf .Values.c }}\n'
    'd: {{ kindOf .Values.d }}\n', args=['--set', 'a=1,b=1.5,c=true', '--set-json', 'd=1'])
parent('sub_condition_alias', 'one:\n  enabled: false\ntwo:\n  enabled: true\n',
       chart_extra='dependencies:\n- name: sub\n  version: 0.1.0\n  alias: one\n  condition: one.enabled\n'
                   '- name: sub\n  version: 0.1.0\n  alias: two\n  condition: two.enabled\n')
parent('sub_is_root', '', parent_tpl=False, sub=dict(SUB, **{
    'charts/sub/templates/s.yaml': 'sub: {{ .Chart.IsRoot }}\n'}),
       extra={'templates/p.yaml': 'p: {{ .Chart.IsRoot }}\n'})
parent('sub_files_scoped', '', parent_tpl=False, sub=dict(SUB, **{
    'charts/sub/f.txt': 'subfile\n',
    'charts/sub/templates/s.yaml': 'sub: {{ .Files.Get "f.txt" | quote }}\nparent: {{ .Files.Get "p.txt" | quote }}\n'}),
       extra={'p.txt': 'parentfile\n', 'templates/p.yaml': 'p: {{ .Files.Get "p.txt" | quote }}\n'
              's: {{ .Files.Get "charts/sub/f.txt" | quote }}\n'})
parent('sub_order_by_kind', '', parent_tpl=False, sub={
    'charts/sub/Chart.yaml': chart_yaml('sub'),
    'charts/sub/templates/s.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: sub\n---\n'
                                   'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: subcm\n'},
       extra={'templates/p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pcm\n---\n'
              'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pd\n'})
parent('sub_hooks', '', parent_tpl=False, sub={
    'charts/sub/Chart.yaml': chart_yaml('sub'),
    'charts/sub/templates/h.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: subhook\n  annotations:\n'
                                   '    helm.sh/hook: post-install\n'},
       extra={'templates/p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pcm\n'})
parent('sub_import_values_nested_exports', '', chart_extra=DEP + '  import-values:\n  - data\n  - child: other\n    parent: o\n',
       sub=dict(SUB, **{'charts/sub/values.yaml': 'exports:\n  data:\n    k1: v1\nother:\n  k2: v2\n'}))
parent('sub_import_values_missing_child', '', chart_extra=DEP + '  import-values:\n  - child: nope\n    parent: dest\n')
case('sub_global_from_f', dict(SUB, **{'templates/p.yaml': 'p: {{ toJson .Values }}\n'}), ['-f', 'g.yaml'],
     side={'g.yaml': 'global:\n  fromfile: 1\nsub:\n  global:\n    local: 2\n'})
case('hooks_crd_install_dropped', {'templates/c.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n'
                                   '  annotations:\n    helm.sh/hook: crd-install\n',
                                   'templates/p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\n'})
case('hooks_weights_and_delete', {'templates/h.yaml': ''.join(
    f'---\napiVersion: v1\nkind: Job\nmetadata:\n  name: j{w}\n  annotations:\n    helm.sh/hook: pre-upgrade\n'
    f'    helm.sh/hook-weight: "{w}"\n    helm.sh/hook-delete-policy: before-hook-creation\n' for w in (3, -1, 0))})
case('templates_subdir', {'templates/sub/dir/x.yaml': 'n: {{ .Template.Name }}\n', 'templates/a.yaml': 'a: 1\n'})
case('order_lowercase_kind', {'templates/a.yaml': 'apiVersion: v1\nkind: configmap\nmetadata:\n  name: l\n---\n'
                              'apiVersion: v1\nkind: List\nmetadata:\n  name: li\n---\n'
                              'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\n'})
tpl('tpl_define_in_values', 'a: {{ tpl .Values.t . }}\n', 't: \'{{ define "vv" }}vv{{ end }}{{ include "vv" . }}\'\n')

# ---------------------------------------------------------------- batch 3: archives, odd inputs
SUBTGZ = {'sub/Chart.yaml': chart_yaml('sub'), 'sub/values.yaml': 'x: fromtgz\n',
          'sub/templates/s.yaml': 'sub: {{ toJson .Values }}\n'}
case('tgz_subchart', {'charts/sub-0.1.0.tgz': SUBTGZ, 'templates/p.yaml': 'p: 1\n', 'values.yaml': 'sub:\n  y: 1\n'})
case('tgz_subchart_condition', {'charts/sub-0.1.0.tgz': SUBTGZ, 'templates/p.yaml': 'p: 1\n',
                                'Chart.yaml': chart_yaml(extra=DEP + '  condition: sub.enabled\n'),
                                'values.yaml': 'sub:\n  enabled: false\n'})
case('tgz_chart_root', {}, argv=['template', 'rel', 'c-0.1.0.tgz'], chart=False,
     side={'c-0.1.0.tgz': {'c/Chart.yaml': CHART, 'c/values.yaml': 'a: 1\n', 'c/templates/t.yaml': 'v: {{ toJson .Values }}\n'}})
case('tgz_not_gzip', {}, argv=['template', 'rel', 'bad.tgz'], chart=False, side={'bad.tgz': 'not gzip\n'})
dump('set_map_then_index', 'a:\n  b: 1\n', ['--set', 'a[0]=x'])
dump('set_scalar_then_nested', None, ['--set', 'a=1', '--set', 'a.b=2'])
dump('set_string_over_set_type_order', None, ['--set-string', 'a.b=1', '--set', 'a=x'])
dump('set_literal_equals_in_value', None, ['--set-literal', 'a=b=c'])
dump('set_value_with_brackets', None, ['--set', 'a=x[0]y'])
dump('set_json_index', None, ['--set-json', 'a[1]={"b":2}'])
dump('set_file_yaml_content', None, ['--set-file', 'cfg=c.yaml'], side={'c.yaml': 'k: v\nlist:\n- 1\n'})
parent('sub_parent_value_null', 'sub: null\n')
parent('sub_parent_value_string', 'sub: notamap\n')
parent('sub_global_not_map', 'global: 3\n')
parent('sub_tags_nonbool', 'tags:\n  front: "no"\n', chart_extra=DEP + '  tags: [front]\n')
parent('sub_skip_tests', '', args=['--skip-tests'], parent_tpl=False, sub=dict(SUB, **{
    'charts/sub/templates/t.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n'}))
tpl('caps_api_versions_list', 'n: {{ len .Capabilities.APIVersions }}\nfirst: {{ index .Capabilities.APIVersions 0 }}\n')
tpl('release_revision_upgrade', REL, args=['--is-upgrade', '--namespace', 'x'])
case('show_only_notes', {'templates/NOTES.txt': 'hi\n', 'templates/a.yaml': 'a: 1\n'}, ['--show-only', 'templates/NOTES.txt'])
case('show_only_empty_output', {'templates/e.yaml': '{{ if false }}x: 1{{ end }}\n', 'templates/a.yaml': 'a: 1\n'},
     ['--show-only', 'templates/e.yaml'])
case('show_only_hook_no_hooks', HOOKS, ['--show-only', 'templates/pre.yaml', '--no-hooks'])
case('chart_v1_with_dependencies_field', {'templates/t.yaml': 'a: 1\n',
                                          'Chart.yaml': 'apiVersion: v1\nname: c\nversion: 0.1.0\n' + DEP})
case('chart_apiversion_v3', {'templates/t.yaml': 'a: 1\n', 'Chart.yaml': 'apiVersion: v3\nname: c\nversion: 0.1.0\n'})
case('chart_yaml_invalid', {'templates/t.yaml': 'a: 1\n', 'Chart.yaml': 'apiVersion: v2\nname: [\n'})
case('chart_no_templates', {'values.yaml': 'a: 1\n'})
case('chart_crlf_and_bom', {'Chart.yaml': '\ufeffapiVersion: v2\r\nname: c\r\nversion: 0.1.0\r\n',
                            'values.yaml': '\ufeffa: 1\r\nb: two\r\n', 'templates/t.yaml': 'v: {{ toJson .Values }}\r\n'})
dump('values_multi_document', 'a: 1\n---\nb: 2\n')
tpl('helmignore_chart_yaml', 'a: 1\n', extra={'.helmignore': 'Chart.yaml\n'})
tpl('helmignore_values_yaml', 'v: {{ toJson .Values }}\n', 'a: 1\n', extra={'.helmignore': 'values.yaml\n'})
case('order_duplicate_resources', {'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n'
                                   '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n'})

# ---------------------------------------------------------------- batch 4: deeper corners
KIND4 = 'a: {{ kindOf .Values.a }} {{ .Values.a }}\n'
for n, v in [('zero_float', '0.0'), ('one_float', '1.0'), ('lead_zero_float', '01.5'), ('neg_zero', '-0'),
             ('plus', '+5'), ('huge_exp', '1e400'), ('inf', 'Inf'), ('dot5', '.5'), ('int64_min', '-9223372036854775808'),
             ('uint64', '18446744073709551615'), ('octal_like', '0o17'), ('upper_true', 'TRUE'), ('yes', 'yes')]:
    tpl(f'set_number_{n}', KIND4, args=['--set', f'a={v}'])
dump('set_index_twice', None, ['--set', 'a[0]=1,a[0]=2'])
dump('set_list_then_index', None, ['--set', 'a={1,2},a[3]=4'])
dump('set_escaped_dot_nested', None, ['--set', r'a.b\.c.d=1'])
dump('set_trailing_backslash', None, ['--set', 'a=x\\'])
dump('set_string_index', None, ['--set-string', 'a[1]=x'])
dump('set_json_over_values_map', 'a:\n  b: 1\n  c: 2\n', ['--set-json', 'a={"b":9}'])
dump('set_literal_over_set', None, ['--set', 'a=1', '--set-literal', 'a=2,3'])
parent('sub_nested_condition', 'sub:\n  deep:\n    enabled: false\n',
       sub=dict(SUB, **{'charts/sub/Chart.yaml': chart_yaml('sub', 'dependencies:\n- name: deep\n  version: 0.1.0\n'
                                                            '  condition: deep.enabled\n'),
                        'charts/sub/charts/deep/Chart.yaml': chart_yaml('deep'),
                        'charts/sub/charts/deep/templates/d.yaml': 'deep: 1\n'}))
parent('sub_nested_alias', '', sub=dict(SUB, **{
    'charts/sub/Chart.yaml': chart_yaml('sub', 'dependencies:\n- name: deep\n  version: 0.1.0\n  alias: inner\n'),
    'charts/sub/charts/deep/Chart.yaml': chart_yaml('deep'),
    'charts/sub/charts/deep/values.yaml': 'd: 1\n',
    'charts/sub/charts/deep/templates/d.yaml': 'deep: {{ .Chart.Name }} {{ toJson .Values }}\n'}))
parent('sub_global_set_in_sub', '', args=['--set', 'sub.global.x=1'])
parent('sub_dep_version_mismatch', '', chart_extra='dependencies:\n- name: sub\n  version: 9.9.9\n'
                                                  '  repository: file://../elsewhere\n')
parent('sub_import_values_into_root', '', chart_extra=DEP + '  import-values:\n  - child: deep\n    parent: .\n',
       sub=dict(SUB, **{'charts/sub/values.yaml': 'deep:\n  rootkey: 1\n'}))
parent('sub_library_values', '', parent_tpl=True, sub={
    'charts/lib/Chart.yaml': chart_yaml('lib', 'type: library\n'),
    'charts/lib/values.yaml': 'libval: 1\nglobal:\n  libg: 1\n'})
tpl('files_glob_braces', 'l:\n{{ range $p, $_ := .Files.Glob "files/{a,c}.*" }}- {{ $p }}\n{{ end }}', extra=FILES_EXTRA)
tpl('files_glob_root_star', 'l:\n{{ range $p, $_ := .Files.Glob "*.txt" }}- {{ $p }}\n{{ end }}', extra=FILES_EXTRA)
tpl('files_lines_crlf_no_final_newline', 'l:\n{{ range .Files.Lines "f.txt" }}- {{ . | quote }}\n{{ end }}',
    extra={'f.txt': 'a\r\nb\r\nc'})
tpl('files_asconfig_nested', 'data:\n{{ (.Files.Glob "files/**").AsConfig | indent 2 }}\n',
    extra=dict(FILES_EXTRA, **{'files/sub/d.txt': 'd\n'}))
tpl('files_get_binary', 'b: {{ .Files.Get "b.bin" | b64enc }}\n', extra={'b.bin': '\x00\x01\xff'})
case('hooks_mixed_file', {'templates/m.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n---\n'
                          'apiVersion: v1\nkind: Pod\nmetadata:\n  name: hook\n  annotations:\n    helm.sh/hook: pre-install\n'})
case('crds_multi_doc_nested', {'crds/a.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n'
                               'metadata:\n  name: a.x.io\n---\napiVersion: apiextensions.k8s.io/v1\n'
                               'kind: CustomResourceDefinition\nmetadata:\n  name: b.x.io\n',
                               'crds/sub/c.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n'
                               'metadata:\n  name: c.x.io\n', 'crds/d.json': '{"kind": "CustomResourceDefinition"}\n'},
     ['--include-crds'])
case('args_three', {'templates/t.yaml': 'a: 1\n'}, argv=['template', 'rel', 'chart', 'extra'])
tpl('caps_kube_version_two_parts', CAPS, args=['--kube-version', '1.20'])
tpl('caps_kube_version_build', CAPS, args=['--kube-version', 'v1.28.3+k3s1'])
tpl('values_inf_tojson', 'a: {{ toJson .Values.a }}\nb: {{ .Values.a }}\n', 'a: .inf\n')

# ---------------------------------------------------------------- batch 5: whole built-in objects
FULLCHART = chart_yaml(extra='appVersion: "1.0"\ndescription: d\nicon: https://i\nkeywords: [k]\n'
                       'annotations:\n  b: "2"\n  a: "1"\n')
for n, expr in [('chart_tojson', 'toJson .Chart'), ('chart_print', '.Chart'), ('release_tojson', 'toJson .Release'),
                ('release_print', '.Release'), ('kubeversion_tojson', 'toJson .Capabilities.KubeVersion'),
                ('kubeversion_print', 'printf "%v" .Capabilities.KubeVersion'),
                ('helmversion_tojson', 'toJson .Capabilities.HelmVersion'), ('template_tojson', 'toJson .Template'),
                ('files_print', '.Files'), ('files_tojson', 'toJson .Files'), ('values_print', '.Values'),
                ('chart_deps_print', '.Chart.Dependencies'), ('typeof_objects',
                 'list (typeOf .Chart) (typeOf .Release) (typeOf .Capabilities) (typeOf .Files) (typeOf .Values) (typeOf .Template)')]:
    case(f'obj_{n}', {'templates/t.yaml': f'x: {{{{ {expr} | quote }}}}\n', 'Chart.yaml': FULLCHART,
                      'values.yaml': 'b: 1\na: [1, x]\n', 'files/f.txt': 'hi\n'})
# Go structs through encoding/json keep their field order (nested structs too); toYaml sorts.
# KubeVersion.String has a pointer receiver: an action prints the field through it, a function
# argument (a copy) prints the struct's fields.
RICHCHART = ('home: https://h\nsources: [https://s]\ntype: application\nkubeVersion: ">=1.20"\n'
             'maintainers:\n- name: m\n  url: https://u\n  email: e@x\n- name: n\n'
             'dependencies:\n- name: sub\n  version: 0.1.0\n  repository: file://x\n  alias: al\n'
             '  condition: al.on\n  tags: [t]\n')
for n, expr in [('chart_tojson', 'toJson .Chart'), ('chart_toprettyjson', 'toPrettyJson .Chart'),
                ('chart_toyaml', 'toYaml .Chart'), ('caps_tojson', 'toJson .Capabilities'),
                ('caps_toyaml', 'toYaml .Capabilities'), ('deps_tojson', 'toJson .Chart.Dependencies'),
                ('maint_tojson', 'toJson (index .Chart.Maintainers 0)'),
                ('kv_print', 'print .Capabilities.KubeVersion'), ('kv_tostring', 'toString .Capabilities.KubeVersion'),
                ('kv_action', 'list 1 | len | print | ne "" | ternary (printf "%s" .Capabilities.KubeVersion) ""'),
                ('kv_list', 'list .Capabilities.KubeVersion')]:
    parent(f'obj2_{n}', 'al:\n  on: true\n', chart_extra=RICHCHART, parent_tpl=False,
           extra={'templates/p.yaml': f'x: {{{{ {expr} | quote }}}}\n'})
parent('obj2_kv_quoted_action', '', chart_extra='', parent_tpl=False,
       extra={'templates/p.yaml': 'x: "{{ .Capabilities.KubeVersion }}"\ny: "{{ $k := .Capabilities.KubeVersion }}{{ $k }}"\n'
              'z: {{ .Capabilities.KubeVersion | quote }}\n'})
parent('obj_subcharts_tojson', 'sub:\n  x: 1\n', parent_tpl=False,
       extra={'templates/p.yaml': 'x: {{ toJson .Subcharts.sub.Values | quote }}\ny: {{ keys .Subcharts | toJson | quote }}\n'})
parent('sub_import_chain', '', chart_extra=DEP + '  import-values:\n  - child: fromdeep\n    parent: top\n',
       sub=dict(SUB, **{'charts/sub/Chart.yaml': chart_yaml('sub', 'dependencies:\n- name: deep\n  version: 0.1.0\n'
                                                            '  import-values:\n  - child: d\n    parent: fromdeep\n'),
                        'charts/sub/charts/deep/Chart.yaml': chart_yaml('deep'),
                        'charts/sub/charts/deep/values.yaml': 'd:\n  v: deepvalue\n'}))
# (`child: y` would be the YAML 1.1 bool true, which makes helm panic.)
parent('sub_import_alias', 'al:\n  x: 1\n', chart_extra='dependencies:\n- name: sub\n  version: 0.1.0\n  alias: al\n'
       '  import-values:\n  - child: yy\n    parent: fromal\n')
parent('sub_global_nested_set', '', args=['--set', 'global.g=top'], sub=dict(SUB, **{
    'charts/sub/charts/deep/Chart.yaml': chart_yaml('deep'),
    'charts/sub/charts/deep/templates/d.yaml': 'deep: {{ toJson .Values.global }}\n'}))
parent('sub_tags_nested', 'tags:\n  t: false\n', sub=dict(SUB, **{
    'charts/sub/Chart.yaml': chart_yaml('sub', 'dependencies:\n- name: deep\n  version: 0.1.0\n  tags: [t]\n'),
    'charts/sub/charts/deep/Chart.yaml': chart_yaml('deep'),
    'charts/sub/charts/deep/templates/d.yaml': 'deep: 1\n'}))
parent('sub_list_index_set', '', args=['--set', 'sub.l[1]=x'], sub=dict(SUB, **{
    'charts/sub/values.yaml': 'l: [a, b, c]\n'}))
case('chart_deprecated_warning', {'templates/t.yaml': 'a: 1\n', 'Chart.yaml': chart_yaml(extra='deprecated: true\n')})

# ---------------------------------------------------------------- batch 6: chart layout corners
GLOBALL = 'l:\n{{ range $p, $_ := .Files.Glob "**" }}- {{ $p }}\n{{ end }}'
tpl('helmignore_patterns', GLOBALL, extra={'.helmignore': '/a.txt\n**/deep.txt\nd?.txt\nnodir\n',
                                          'a.txt': '1', 'x/a.txt': '2', 'x/y/deep.txt': '3', 'd1.txt': '4',
                                          'd10.txt': '5', 'nodir/f.txt': '6', 'keep.txt': '7'})
tpl('helmignore_templates_glob', 'a: 1\n', extra={'.helmignore': 'templates/*.off\n',
                                                  'templates/x.off': 'x: 1\n', 'templates/y.yaml': 'y: 1\n'})
parent('helmignore_subchart_own', '', sub=dict(SUB, **{'charts/sub/.helmignore': 'templates/s.yaml\n'}))
tpl('files_hidden', GLOBALL, extra={'.hidden': 'h', '.dir/f': 'f', 'vis.txt': 'v'})
case('templates_underscore_dir', {'templates/_partials/x.yaml': 'x: 1\n', 'templates/a.yaml': 'a: 1\n'})
case('values_yml_ignored', {'values.yml': 'a: 1\n', 'templates/v.yaml': 'v: {{ toJson .Values }}\n'})
case('chart_lock_ignored', {'Chart.lock': 'garbage: [\n', 'templates/t.yaml': 'a: 1\n'})
case('charts_dir_stray_file', {'charts/README.md': 'hello\n', 'templates/t.yaml': 'a: 1\n'})
case('charts_dir_no_chart_yaml', {'charts/sub/values.yaml': 'a: 1\n', 'templates/t.yaml': 'a: 1\n'})
case('charts_dir_name_differs', {'charts/dirname/Chart.yaml': chart_yaml('realname'),
                                 'charts/dirname/templates/s.yaml': 'n: {{ .Chart.Name }} {{ .Template.Name }}\n',
                                 'values.yaml': 'realname:\n  a: 1\ndirname:\n  b: 2\n',
                                 'templates/t.yaml': 'v: {{ toJson .Values }}\n'})
parent('set_on_alias', '', chart_extra='dependencies:\n- name: sub\n  version: 0.1.0\n  alias: al\n',
       args=['--set', 'al.x=viaalias'])
case('show_only_dot_slash', KINDS, ['--show-only', './templates/a.yaml'])
case('order_comment_before_separator', {'templates/a.yaml': '# leading comment\n---\na: 1\n---\n# c\nb: 2\n'})
case('hooks_bad_weight', {'templates/h.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: h\n  annotations:\n'
                          '    helm.sh/hook: post-install\n    helm.sh/hook-weight: heavy\n'})
case('hooks_space_separated', {'templates/h.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: h\n  annotations:\n'
                               '    helm.sh/hook: "pre-install, post-upgrade"\n'})
case('hooks_annotation_not_string', {'templates/h.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: h\n'
                                     '  annotations:\n    helm.sh/hook: 5\n'})
case('order_metadata_not_map', {'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: 5\n'})
case('order_kind_not_string', {'templates/a.yaml': 'apiVersion: v1\nkind: [x]\n'})

case('order_scalar_fields_non_string', {'templates/a.yaml': 'apiVersion: 1\nkind: 5\nmetadata:\n  name: true\n---\n'
                                        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 1.50\n'})
case('hooks_weight_int', {'templates/h.yaml': ''.join(
    f'---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{w}\n  annotations:\n    helm.sh/hook: pre-install\n'
    f'    helm.sh/hook-weight: {w}\n' for w in (3, -2, 1.5))})
case('order_name_list', {'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x]\n'})
case('order_annotations_not_map', {'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations: 5\n'})

# ---------------------------------------------------------------- batch 7: coalescing corners
SUBMAP = dict(SUB, **{'charts/sub/values.yaml': 'x:\n  a: 1\n  b: 2\ns: str\nn: null\nl: [1, null]\n'})
parent('coalesce_scalar_over_sub_map', 'sub:\n  x: 5\n', sub=SUBMAP)
parent('coalesce_map_over_sub_scalar', 'sub:\n  s:\n    k: v\n', sub=SUBMAP)
parent('coalesce_null_over_sub_map', 'sub:\n  x: null\n', sub=SUBMAP)
parent('coalesce_user_null_in_sub', '', sub=SUBMAP, args=['--set', 'sub.x.a=null,sub.s=null'])
parent('coalesce_user_null_global', 'global:\n  g: 1\n  h: 2\n', sub=SUBMAP, args=['--set', 'global.g=null'])
parent('coalesce_chart_own_null', 'keep: null\nother: 1\n', sub=SUBMAP)
case('coalesce_user_f_null_sub_map', dict(SUBMAP, **{'templates/p.yaml': 'p: {{ toJson .Values }}\n'}),
     ['-f', 'o.yaml'], side={'o.yaml': 'sub:\n  x:\n    a: null\n  l: null\n'})
parent('coalesce_parent_partial_sub_map', 'sub:\n  x:\n    b: 20\n    c: 30\n', sub=SUBMAP)
parent('coalesce_import_with_null', 'dest:\n  a: parent\n', chart_extra=DEP + '  import-values:\n  - child: x\n    parent: dest\n',
       sub=dict(SUB, **{'charts/sub/values.yaml': 'x:\n  a: null\n  b: 2\n'}))

# ---------------------------------------------------------------- batch 8: post-renderer, flag odds
PR = {'pr.sh': '#!/bin/sh\nsed "s/name: /name: pr-/"\n', 'fail.sh': '#!/bin/sh\necho oops >&2\nexit 3\n'}
case('post_renderer', HOOKS, ['--post-renderer', './pr.sh'], side=PR)
case('post_renderer_fails', HOOKS, ['--post-renderer', './fail.sh'], side=PR)
case('post_renderer_missing', HOOKS, ['--post-renderer', './nope.sh'], side=PR)
case('post_renderer_with_crds', CRDS, ['--post-renderer', './pr.sh', '--include-crds'], side=PR)
# With --output-dir helm writes CRDs and manifests to files and still runs the post-renderer on
# what is left (nothing), printing its output; a failure there comes after the `wrote` lines.
# (No hooks here: helm appends to hook files that already exist, so reruns would grow them.)
PR2 = dict(PR, **{'hdr.sh': '#!/bin/sh\necho "# from post-renderer"\ncat\n'})
case('outdir_post_renderer', CRDS, ['--output-dir', 'out', '--post-renderer', './hdr.sh', '--include-crds'], side=PR2)
case('outdir_post_renderer_fails', CRDS, ['--output-dir', 'out', '--post-renderer', './fail.sh'], side=PR2)
# The import-values warning names the chart only for the map form.
parent('sub_import_string_missing', '', chart_extra=DEP + '  import-values: [v]\n')
parent('sub_import_map_missing', '', chart_extra=DEP + '  import-values:\n  - child: nope\n    parent: p\n')
# Which errors helm follows with `Use --debug flag to render out invalid YAML` (those of its
# renderResources) and which not.
tpl('hint_exec_fail', 'a: {{ fail "boom" }}\n')
tpl('hint_parse_error', 'a: {{ .Values.x \n')
tpl('hint_yaml_invalid', 'a: b: c\n')
tpl('hint_required', 'a: {{ required "need x" .Values.x }}\n')
tpl('hint_notes_fail', 'a: 1\n', extra={'templates/NOTES.txt': '{{ fail "in notes" }}\n'})
tpl('hint_kube_version', 'a: 1\n', chart_extra='kubeVersion: "<1.0"\n')
tpl('hint_schema', 'a: 1\n', 'x: 1\n', extra={'values.schema.json': '{"properties": {"x": {"type": "string"}}}'})
tpl('hint_show_only_missing', 'a: 1\n', args=['--show-only', 'templates/nope.yaml'])
dump('set_file_dir', None, ['--set-file', 'a=.'])
tpl('caps_git_version_flag', 'g: {{ .Capabilities.KubeVersion.GitVersion }}\n', args=['--kube-version', '1.29.4'])
tpl('namespace_env_flag_wins', 'ns: {{ .Release.Namespace }}\n', args=['--namespace=eq'])
dump('set_equals_form', None, ['--set=a=1', '--set-string=b=2'])
dump('values_equals_form', 'a: 0\n', ['--values=o.yaml'], side={'o.yaml': 'a: 1\n'})

# ---------------------------------------------------------------- batch 9: interactions
parent('sub_import_from_disabled', 'sub:\n  enabled: false\n', chart_extra=DEP + '  condition: sub.enabled\n  import-values:\n  - data\n',
       sub=dict(SUB, **{'charts/sub/values.yaml': 'exports:\n  data:\n    imported: 1\n'}))
case('sub_condition_via_f', dict(SUB, **{'Chart.yaml': chart_yaml(extra=DEP + '  condition: sub.on\n'),
                                        'templates/p.yaml': 'p: 1\n'}),
     ['-f', 'o.yaml'], side={'o.yaml': 'sub:\n  on: false\n'})
parent('sub_tags_via_set', '', chart_extra=DEP + '  tags: [x]\n', args=['--set', 'tags.x=false'])
parent('sub_condition_global', 'global:\n  subOn: false\n', chart_extra=DEP + '  condition: global.subOn\n')
parent('sub_schema_ok_with_parent_override', 'sub:\n  x: str\n', sub=dict(SUB, **{
    'charts/sub/values.schema.json': '{"properties": {"x": {"type": "string"}}}'}))
parent('sub_schema_disabled_not_checked', 'sub:\n  x: 5\n  enabled: false\n', chart_extra=DEP + '  condition: sub.enabled\n',
       sub=dict(SUB, **{'charts/sub/values.schema.json': '{"properties": {"x": {"type": "string"}}}'}))
kv_tpl = 'ok: 1\n'
for n, c, kv in [('prerelease_constraint', '>=1.28.0-0', '1.28.0-rc.1'), ('caret', '^1.20', '1.31.0'),
                 ('or', '<1.10 || >=1.30', None), ('range_and', '>=1.20, <1.40', None)]:
    case(f'kubeversion_{n}', {'templates/t.yaml': kv_tpl, 'Chart.yaml': chart_yaml(extra=f'kubeVersion: "{c}"\n')},
         ['--kube-version', kv] if kv else [])


def write_tgz(path, files):
    """A gzipped tar of `files` with fixed metadata, so regenerating changes nothing."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tar:
        for name, text in sorted(files.items()):
            data = text.encode('utf-8')
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    import gzip
    with open(path, 'wb') as f:
        f.write(gzip.compress(buf.getvalue(), mtime=0))


def main():
    os.makedirs(CASES, exist_ok=True)
    for old in sorted(set(os.listdir(CASES)) - set(ALL)):  # cases no longer defined here
        shutil.rmtree(os.path.join(CASES, old))
    for name, (files, side, argv) in sorted(ALL.items()):
        d = os.path.join(CASES, name)
        if os.path.isdir(os.path.join(d, 'chart')):
            shutil.rmtree(os.path.join(d, 'chart'))
        os.makedirs(d, exist_ok=True)
        for rel, text in list(files.items()) + [('../' + k, v) for k, v in side.items()]:
            p = os.path.normpath(os.path.join(d, 'chart', rel))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if isinstance(text, dict):  # a packaged chart: archive path -> text
                write_tgz(p, text)
                continue
            with open(p, 'w', encoding='utf-8', newline='') as f:
                f.write(text)
            if p.endswith('.sh'):
                os.chmod(p, 0o755)
        with open(os.path.join(d, 'args'), 'w', encoding='utf-8') as f:
            f.write(''.join(a + '\n' for a in argv))
    print(f'{len(ALL)} cases')


if __name__ == '__main__':
    main()
