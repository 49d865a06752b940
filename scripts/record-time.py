#!/usr/bin/env python3
"""Re-records tests/data/time_cases.json from the reference helm (v3.17.3).

Each case is a single template expression in a small JSON form that the Rust unit tests evaluate by
calling the functions directly (and that the full engine can later render from `template`):
  expr := "string literal" | 123 (Go int literal) | {"int64": n} | {"float": x} | {"list": [expr...]}
        | {"f": NAME, "a": [expr...], "then": [{"field": NAME} | {"method": NAME, "a": [expr...]}]}
The expected text is what `{{ EXPR }}` prints, or the error message after `error calling NAME: `.

usage: scripts/record-time.py [HELM_EVAL]   (default /work/shared/tools/helm-eval)
"""
import json, os, re, subprocess, sys

HELM_EVAL = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/tools/helm-eval'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data', 'time_cases.json')


def render(e):
    if isinstance(e, str):
        return json.dumps(e)
    if isinstance(e, bool):
        return 'true' if e else 'false'
    if isinstance(e, int):
        return str(e)
    if 'int64' in e:
        return '(int64 %d)' % e['int64']
    if 'float' in e:
        return repr(float(e['float']))
    if 'list' in e:
        return '(list %s)' % ' '.join(render(x) for x in e['list'])
    s = '(%s)' % ' '.join([e['f']] + [render(a) for a in e.get('a', [])])
    for step in e.get('then', []):
        if 'field' in step:
            s = '%s.%s' % (s, step['field'])
        else:
            s = '(%s.%s %s)' % (s, step['method'], ' '.join(render(a) for a in step.get('a', [])))
    return s


def f(name, *args, then=None):
    e = {'f': name, 'a': list(args)}
    if then:
        e['then'] = then
    return e


def i64(n):
    return {'int64': n}


T0 = 1700000000  # 2023-11-14 22:13:20 UTC, a Tuesday
RFC = '2006-01-02T15:04:05.999999999Z07:00'


def tdate(value, layout=RFC):
    return f('toDate', layout, value)


CASES = []


def case(expr, tz='UTC', name=None):
    CASES.append({'name': name or render(expr), 'tz': tz, 'expr': expr})


# ---- date / layouts (Local = TZ) ----
LAYOUTS = ['2006-01-02', '2006-01-02 15:04:05', 'Mon Jan 2 15:04:05 MST 2006', 'Monday January _2 06',
           '01/02/06 03:04:05 PM', '3:4:5 pm', '15h04m05s', 'Jan _2 __2 002', '2006-01-02T15:04:05Z07:00',
           '-0700 -07 -07:00 -070000 -07:00:00', 'Z0700 Z07 Z07:00 Z070000 Z07:00:00', '.000 .999 ,000 ,999',
           '05.000000 05.999999999 05.9', 'Janet Monk Mondays', 'January', '2006 06 1 01 2 02 _2', 'MST',
           'PM pm', 'year: 2006', '_2006', '20060102150405', 'Tue', '0', '', 'literal text']
for lay in LAYOUTS:
    case(f('date', lay, i64(T0)))
for tz in ['America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/St_Johns']:
    for lay in ['Mon Jan 2 15:04:05 MST 2006', '2006-01-02T15:04:05Z07:00 -07 Z0700 pm']:
        case(f('date', lay, i64(T0)), tz=tz)
case(f('date', '2006-01-02 15:04', i64(1688000000)), tz='Europe/Berlin')  # summer time
case(f('date', '2006-01-02 15:04:05', T0))  # int
case(f('date', '2006-01-02', i64(-1)))
case(f('date', '2006-01-02 15:04:05', i64(0)))
case(f('date', '2006-01-02 Mon', i64(253402300799)))
case(f('date', '2006-01-02 15:04:05.000', tdate('2023-11-14T22:13:20.123456789Z')))
case(f('date', '2006-01-02 15:04:05.999999999 -0700', tdate('2023-11-14T22:13:20.5+05:30')))
case(f('dateInZone', '2006-01-02 15:04 MST', i64(T0), 'Asia/Tokyo'))
case(f('dateInZone', '2006-01-02 15:04 MST -0700', i64(T0), 'America/Los_Angeles'))
case(f('dateInZone', '2006-01-02 15:04 MST', i64(T0), 'Not/AZone'))
case(f('dateInZone', '2006-01-02 15:04 MST', i64(T0), ''))
case(f('dateInZone', '2006-01-02 15:04 MST', i64(T0), 'UTC'))
case(f('dateInZone', '2006-01-02 15:04 MST', i64(T0), 'Local'), tz='Asia/Tokyo')
case(f('date_in_zone', '15:04 MST', i64(T0), 'Europe/London'))
case(f('dateInZone', '2006-01-02 15:04 MST', tdate('2023-06-01T12:00:00Z'), 'Europe/Paris'))
case(f('htmlDate', i64(T0)))
case(f('htmlDate', i64(T0)), tz='Pacific/Kiritimati')
case(f('htmlDate', tdate('1999-12-31T23:59:59Z')))
case(f('htmlDateInZone', i64(T0), 'Pacific/Kiritimati'))
case(f('htmlDateInZone', i64(T0), 'America/Adak'))

# ---- toDate: parsing ----
PARSES = [
    ('2006-01-02', '2024-02-29'), ('2006-01-02', '2023-02-29'), ('2006-01-02', '2024-13-01'),
    ('2006-01-02', 'x024-01-01'), ('2006-01-02', '2024-01-01 extra'), ('2006-01-02', '2024-1-01'),
    ('2006-1-2', '2024-1-5'), ('2006-01-02 15:04:05', '2024-01-15 10:30:00'),
    ('2006-01-02 15:04:05', '2024-01-15 24:30:00'), ('2006-01-02 15:04', '2024-01-15 10:60'),
    ('2006-01-02 15:04:05', '2024-01-15 10:30:61'), ('2006-01-02 15:04:05', '2024-01-15 10:30:00.25'),
    (RFC, '2024-01-15T10:30:00Z'), (RFC, '2024-01-15T10:30:00.123+02:00'), (RFC, '2024-01-15T10:30:00-00:00'),
    ('2006-01-02T15:04:05Z07:00', '2024-01-15T10:30:00+05:30'), ('2006-01-02 -0700', '2024-01-15 +0100'),
    ('2006-01-02 MST', '2024-01-15 UTC'), ('2006-01-02 MST', '2024-01-15 PST'), ('2006-01-02 MST', '2024-01-15 GMT+3'),
    ('2006-01-02 MST', '2024-01-15 CEST'), ('2006-01-02 MST', '2024-01-15 xx'), ('2006-01-02 MST -0700', '2024-01-15 EST -0500'),
    ('Jan 2 2006', 'feb 29 2024'), ('January 2, 2006', 'March 10, 2020'), ('Mon Jan _2 2006', 'Tue Jan  9 2024'),
    ('Monday 2006', 'Funday 2020'), ('02/01/06', '15/01/24'), ('02/01/06', '15/01/69'), ('02/01/06', '15/01/68'),
    ('3:04PM', '11:05AM'), ('3:04PM', '12:05AM'), ('3:04pm', '12:05pm'), ('03:04 PM', '13:05 PM'), ('3:04PM', '3:04XM'),
    ('2006 002', '2024 060'), ('2006 __2', '2024  61'), ('2006 002', '2023 366'), ('2006-01 002', '2024-03 061'),
    ('2006-01 002', '2024-02 061'), ('15:04:05.000', '10:30:00.123'), ('15:04:05.000', '10:30:00.12'),
    ('15:04:05.999', '10:30:00'), ('15:04:05,999', '10:30:00,5'), ('15:04:05.999999999', '10:30:00.1234567891'),
    ('2006', '1'), ('2006', '-2024'), ('', ''), ('', 'x'), ('x', 'x'), ('x', 'y'), ('2006-01-02', ''),
    ('2006-01-02  15', '2024-01-15 15'), ('2006-01-02 15', '2024-01-15    15'), ('Jan', 'Janu'),
]
for lay, val in PARSES:
    case(f('toDate', lay, val))
for lay, val in [('2006-01-02 15:04', '2024-01-15 10:30'), ('2006-01-02 15:04', '2024-07-15 10:30'),
                 ('2006-01-02 15:04 MST', '2024-07-15 10:30 CEST'), ('2006-01-02 15:04 MST', '2024-01-15 10:30 CEST'),
                 ('2006-01-02 15:04 -0700', '2024-07-15 10:30 +0200'), ('2006-01-02 15:04 -0700', '2024-07-15 10:30 +0300'),
                 ('2006-01-02 15:04', '2024-03-31 02:30'), ('2006-01-02 15:04', '2024-10-27 02:30')]:
    case(f('toDate', lay, val), tz='Europe/Berlin')
for lay, val in [('2006-01-02', 'bad'), ('2006-01-02', '2024-01-01'), ('2006-01-02 MST', '2024-01-01 ABC')]:
    case(f('mustToDate', lay, val))
case(f('toDate', '2006-01-02', '2024-01-15', then=[{'method': 'Format', 'a': ['Monday 02 Jan']}]))
case(f('toDate', '2006-01-02', '2024-01-15', then=[{'field': 'Unix'}]))
case(f('toDate', '2006-01-02', '2024-01-15', then=[{'field': 'Year'}]))
case(f('toDate', '2006-01-02', '2024-01-15', then=[{'field': 'Month'}]))
case(f('toDate', '2006-01-02', '2024-01-15', then=[{'field': 'Weekday'}]))
case(f('toDate', '2006-01-02', '2024-01-15', then=[{'field': 'YearDay'}]))
case(f('toDate', '2006-01-02', '2024-01-15', then=[{'field': 'IsZero'}]))
case(f('toDate', '2006-01-02', 'bad', then=[{'field': 'IsZero'}]))
case(f('toDate', RFC, '2024-01-15T10:30:00.5+05:30', then=[{'field': 'UTC'}]))
case(f('toDate', RFC, '2024-01-15T10:30:00.5+05:30', then=[{'field': 'UnixNano'}]))
case(f('toDate', RFC, '2024-01-15T10:30:00.5+05:30', then=[{'field': 'Hour'}, ]))

# ---- dateModify / mustDateModify / unixEpoch ----
for d in ['1h', '-1.5h', '+90m', '1h30m15s', '1.5s', '300ms', '2us', '3µs', '4ns', '1d', 'bad', '', '0', '-0', '.5h', '1.h',
          '1', 'h', '9223372036854775807ns', '9223372036854775808ns', '1000000h', '2562047h']:
    case(f('dateModify', d, tdate('2024-01-15T10:30:00Z')))
case(f('date_modify', '-24h', tdate('2024-03-01T00:00:00Z')))
case(f('mustDateModify', '48h', tdate('2024-02-28T00:00:00Z')))
case(f('mustDateModify', 'bad', tdate('2024-02-28T00:00:00Z')))
case(f('must_date_modify', '1x', tdate('2024-02-28T00:00:00Z')))
case(f('mustDateModify', '', tdate('2024-02-28T00:00:00Z')))
case(f('unixEpoch', tdate('2024-01-15T10:30:00+05:30')))
case(f('unixEpoch', tdate('1960-01-01T00:00:00Z')))
case(f('unixEpoch', f('toDate', '2006', 'bad')))

# ---- duration / durationRound ----
for d in ['90', '0', '59', '3600', '3661', '86400', '-90', '1.5', 'abc', i64(90), i64(-1), i64(100000000), 90, {'float': 90.0},
          i64(9223372036854775807)]:
    case(f('duration', d))
for d in ['2h10m', '400h', '1h', '1h0m1s', '61s', '60s', '1s', '999ms', '-2h10m', 'bad', '8761h', '721h', '25h', '24h',
          i64(3600000000000), i64(1), 90, '']:
    case(f('durationRound', d))

# ---- semver ----
for v in ['1.2.3', 'v1.2.3', '1', '1.2', '1.2.3-beta.1+build.5', '01.2.3', '1.2.3.4', '1.2.3-', '', 'v', '1.2.3-01',
          '1.2.3+b_c', '1.2.3-a..b', '99999999999999999999.0.0', '1.2.x', ' 1.2.3']:
    case(f('semver', v))
for fld in ['Major', 'Minor', 'Patch', 'Prerelease', 'Metadata', 'Original']:
    case(f('semver', 'v1.2.3-rc.1+meta', then=[{'field': fld}]))
for m in ['IncMajor', 'IncMinor', 'IncPatch']:
    case(f('semver', 'v1.2.3-rc.1+meta', then=[{'field': m}]))
    case(f('semver', '1.2.3', then=[{'field': m}]))
for a, b in [('1.2.3', '1.2.4'), ('2.0.0', '1.9.9'), ('1.0.0', '1.0.0+x'), ('1.0.0-alpha', '1.0.0'),
             ('1.0.0-alpha.2', '1.0.0-alpha.10'), ('1.0.0-alpha.beta', '1.0.0-alpha.1')]:
    case(f('semver', a, then=[{'method': 'Compare', 'a': [f('semver', b)]}]))
CONSTRAINTS = [
    ('^1.2', '1.3.0'), ('^1.2', '2.0.0'), ('^1.2', '1.1.9'), ('^0.2.3', '0.2.9'), ('^0.2.3', '0.3.0'), ('^0.0.3', '0.0.3'),
    ('^0.0.3', '0.0.4'), ('^0.0', '0.0.9'), ('^0.0', '0.1.0'), ('^0', '0.9.0'), ('^0', '1.0.0'), ('^*', '5.0.0'),
    ('^1.x', '1.9.0'), ('^0.x', '0.5.0'),
    ('~1.2.3', '1.2.9'), ('~1.2.3', '1.3.0'), ('~1.2', '1.2.0'), ('~1', '1.9.0'), ('~1', '2.0.0'), ('~>1.2', '1.2.5'),
    ('~0', '0.9.9'), ('~0.0.0', '5.0.0'), ('~*', '1.0.0'), ('~1.x', '1.5.0'),
    ('>=1.20', '1.21.0'), ('>=1.20', 'v1.21.0-gke.1'), ('>=1.20-0', 'v1.21.0-gke.1'), ('>=1.20.0-0', '1.20.0-rc.1'),
    ('>1.2', '1.2.5'), ('>1.2', '1.3.0'), ('>1', '1.9.0'), ('>1', '2.0.0'), ('>1.2.3', '1.2.4'), ('>1.2.3', '1.2.3'),
    ('<1.2', '1.1.9'), ('<1.2', '1.2.0'), ('<1.2.3', '1.2.3-beta'), ('<1.2.3-0', '1.2.3-beta'), ('<=1.2', '1.2.9'),
    ('<=1.2', '1.3.0'), ('=<1.2.3', '1.2.3'), ('<=1', '1.9.9'), ('=>1.0', '1.0.0'),
    ('=1.2.3', '1.2.3'), ('=1.2.3', '1.2.4'), ('1.2.3', '1.2.3+meta'), ('1.2', '1.2.7'), ('1.2.x', '1.2.7'), ('1.x', '1.3.0'),
    ('1.x', '2.0.0'), ('*', '1.0.0'), ('*', '1.0.0-beta'), ('x', '0.0.1'), ('X', '3.0.0'), ('', '1.0.0'),
    ('!=1.2.3', '1.2.4'), ('!=1.2.3', '1.2.3'), ('!=1.2', '1.2.5'), ('!=1.2', '1.3.0'), ('!=1.x', '1.0.0'),
    ('!=1.2.x', '1.2.3-beta'), ('!=1.2.3', '1.2.3-beta'),
    ('>=1.2, <2', '1.5.0'), ('>=1.2 <2', '2.0.0'), ('>=1.2,<2', '1.9.9'), ('>1 <1', '1.0.0'),
    ('<1 || >=2', '0.5.0'), ('<1 || >=2', '1.5.0'), ('<1||>=2', '2.0.0'), ('1.2 - 1.4.5', '1.4.5'), ('1.2 - 1.4.5', '1.4.6'),
    ('1.2 - 1.4.5', '1.1.0'), ('1.2.3 - 2', '2.9.0'), ('v1.2', '1.2.0'), ('>= 1.2', '1.2.0'), (' >=1.2 ', '1.3.0'),
    ('>=1.2 , <2', '1.3.0'), ('>=1.2,, <2', '1.3.0'), ('foo', '1.0.0'), ('>=a', '1.0.0'), ('>=1.2 ||', '1.0.0'),
    ('|| >=1.2', '1.0.0'), ('~1.2 | 3', '1.2.0'), ('>=1.x', '1.0.0'), ('>=1.2', 'bad'), ('>=1.2', ''), ('>=1.2', '1.2.3.4'),
    ('^1.2.3-beta', '1.2.3-beta.2'), ('^1.2.3-beta', '1.2.4-beta'), ('~1.2.3-beta', '1.2.4'), ('>=1.0.0-alpha', '1.0.0-alpha.1'),
    ('1.2.3-beta', '1.2.3-beta'), ('>=1.19.0-0 <1.30.0-0', '1.28.3-eks-1'), ('>= 1.16.0-0', 'v1.30.0'),
    ('>1.x', '2.0.0'), ('<1.x', '0.9.0'), ('<=1.x', '1.9.0'), ('=1.*', '1.3.0'), ('^ 1.2', '1.3.0'), ('> 1', '2.0.0'),
    ('>=1.2.3+meta', '1.2.3'), ('>=01.2', '1.2.0'), ('<=1.2.3 >=1.2.3', '1.2.3'), ('1 - 2', '2.5.0'),
]
for c, v in CONSTRAINTS:
    case(f('semverCompare', c, v))

# ---- derivePassword ----
for t in ['long', 'maximum', 'medium', 'short', 'basic', 'pin', 'bogus']:
    case(f('derivePassword', 1, t, 'password', 'user', 'example.com'))
case(f('derivePassword', 2, 'long', 'password', 'user', 'example.com'))
case(f('derivePassword', 7, 'maximum', 'secret', 'Jöhn', 'host.local'))
case(f('derivePassword', 0, 'medium', '', '', ''))

# ---- deterministic edges of random/crypto ----
for fn in ['randAlphaNum', 'randAlpha', 'randNumeric', 'randAscii']:
    case(f(fn, 0))
    case(f(fn, -3))
case(f('randBytes', 0))
case(f('randInt', 5, 5))
case(f('randInt', 5, 6))
case(f('randInt', -3, -2))
case(f('shuffle', ''))
case(f('shuffle', 'a'))
case(f('shuffle', 'aaaa'))
case(f('htpasswd', 'a:b', 'pw'))
case(f('encryptAES', 'key', ''))
case(f('decryptAES', 'key', ''))
case(f('decryptAES', 'key', 'YWJj'))
case(f('decryptAES', 'key', 'not base64!'))
case(f('decryptAES', 'key', 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='))
case(f('decryptAES', 'key', 'MDEyMzQ1Njc4OWFiY2RlZjAx'))
case(f('decryptAES', 'k', 'AAAAAAAAAAAAAAAAAAAAAGpOVzJy5mvGBYrK6bOh/n4='))
case(f('genPrivateKey', 'bad'))
case(f('buildCustomCert', 'bad', 'bad'))
case(f('buildCustomCert', 'YWJj', 'bad'))
case(f('buildCustomCert', 'YWJj', 'YWJj'))
case(f('genCAWithKey', 'x', 1, 'nope'))
case(f('genCAWithKey', 'x', 1, '-----BEGIN FOO-----\nYWJj\n-----END FOO-----\n'))
case(f('genSelfSignedCert', 'x', {'list': ['not-an-ip']}, {'list': []}, 1))
case(f('genSelfSignedCert', 'x', {'list': [1]}, {'list': []}, 1))
case(f('genSelfSignedCert', 'x', {'list': []}, {'list': [2]}, 1))

# ---- more argument-rule and round-trip cases ----
case(f('date', 'no layout elements', {'float': 1.5}))  # non-time argument means now; no error
case(f('date', 'static', 'a string'))
case(f('htmlDateInZone', tdate('2024-01-15T23:30:00Z'), 'Asia/Tokyo'))
case(f('dateInZone', '2006-01-02T15:04:05Z07:00', f('dateModify', '36h', tdate('2024-03-09T12:00:00Z')), 'America/New_York'))
case(f('dateInZone', 'Jan 2 15:04 MST', 1710054000, 'America/New_York'))
case(f('dateInZone', 'Jan 2 15:04 MST', i64(1710053999), 'America/New_York'))
case(f('dateInZone', 'Jan 2 15:04 MST', i64(-2208988800), 'Europe/Amsterdam'))
case(f('dateInZone', '2006-01-02 15:04:05 MST', i64(-62135596800), 'UTC'))
case(f('unixEpoch', f('dateModify', '-1h', tdate('1970-01-01T00:00:00Z'))))
case(f('decryptAES', 'k', f('encryptAES', 'k', 'hello world')))
case(f('decryptAES', 'a much longer key than thirty-two bytes', f('encryptAES', 'a much longer key than thirty-two bytes', 'é ü')))
case(f('bcrypt', 'x' * 73))
case(f('htpasswd', 'a:b:c', 'x'))
case(f('genPrivateKey', 'RSA'))
case(f('genSelfSignedCertWithKey', 'x', {'list': []}, {'list': []}, 1, 'nope'))
case(f('genSelfSignedCert', 'k', {'list': []}, {'list': ['\u00e9.example']}, 3))
case(f('genCAWithKey', 'x', 1, '-----BEGIN BAR PRIVATE KEY-----\nYWJj\n-----END BAR PRIVATE KEY-----\n'))
case(f('semver', '1.2.3', then=[{'method': 'LessThan', 'a': [f('semver', '1.2.4')]}]))
case(f('semver', '1.2.3', then=[{'field': 'IncMinor'}, {'field': 'Minor'}]))
case(f('toDate', '2006-01-02 15:04:05', '2024-01-15 10:30:45', then=[{'method': 'Sub', 'a': [f('toDate', '2006-01-02', '2024-01-15')]}]))
case(f('toDate', '2006-01-02', '2024-01-31', then=[{'method': 'AddDate', 'a': [0, 1, 0]}]))
case(f('toDate', '2006-01-02 15:04:05', '2024-01-15 10:30:45', then=[{'method': 'Truncate', 'a': [i64(3600000000000)]}]))
case(f('toDate', '2006-01-02 15:04:05', '2024-01-15 10:30:45', then=[{'method': 'Round', 'a': [i64(60000000000)]}]))
case(f('toDate', '2006-01-02', '2024-01-15', then=[{'method': 'Before', 'a': [f('toDate', '2006-01-02', '2024-01-16')]}]))

case(f('mustDateModify', '1\u00e9', tdate('2024-02-28T00:00:00Z')))
case(f('mustToDate', '2006 Jan', '2024 J\u00e4n\t"'))
case(f('mustToDate', '2006', '2024\x7f'))
case(f('date', '2006-01-02 06', i64(9223372036854775807)))
case(f('date', '2006-01-02 06 Mon', i64(-62167219200 - 86400 * 366)))
case(f('toDate', '2006-01-02', '2024-01-31', then=[{'method': 'AddDate', 'a': [-2030, 0, 0]}]))
case(f('toDate', '2006-01-02', '2024-01-31', then=[{'method': 'AddDate', 'a': [0, 0, 100000000]}]))

# A fixed CA (made once by helm: genCAWithKey "fixture-ca" 36500 (genPrivateKey "ecdsa")), for
# deterministic argument errors of the signing functions.
FIXTURE_CA = f('buildCustomCert', 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJpekNDQVRHZ0F3SUJBZ0lRU0FLQ1IwKzcyUUJYbm9mcUZLaVJ1VEFLQmdncWhrak9QUVFEQWpBVk1STXcKRVFZRFZRUURFd3BtYVhoMGRYSmxMV05oTUNBWERUSTJNVEV5T0RBd01qZ3dPVm9ZRHpJeE1qWXhNVEEwTURBeQpPREE1V2pBVk1STXdFUVlEVlFRREV3cG1hWGgwZFhKbExXTmhNRmt3RXdZSEtvWkl6ajBDQVFZSUtvWkl6ajBECkFRY0RRZ0FFUCtpNDJkNUtwQ1VFQi9nNXRuUC9iQVNWV0laN0lxRWt5ZmdBbWZHd1UyTGYva1ZLVjE4dGkvRUMKS25uUjJ3T0tBTGJza3VmWHMydzFZTkFjN3BpREY2TmhNRjh3RGdZRFZSMFBBUUgvQkFRREFnS2tNQjBHQTFVZApKUVFXTUJRR0NDc0dBUVVGQndNQkJnZ3JCZ0VGQlFjREFqQVBCZ05WSFJNQkFmOEVCVEFEQVFIL01CMEdBMVVkCkRnUVdCQlJPVURxdTlpZDhSZmpic2NqRy9pTG5iRHVZRERBS0JnZ3Foa2pPUFFRREFnTklBREJGQWlFQWhuTzQKVnhYSHkxTStselROdWhnbXlveWNhcEhDVTc2aXJ5blcvMWF5YWVFQ0lGT0pNWW9RT09QaG9sellXQWYxRGR5NwphYVI2TFpJQjJlb1pBMFNCMWh4eAotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==',
               'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUJsa0ZGSWVMeHJ6Q3ZHd1NqTElNZ0M1TnpidVlUZ21HWlVOajZnai9Pd2dvQW9HQ0NxR1NNNDkKQXdFSG9VUURRZ0FFUCtpNDJkNUtwQ1VFQi9nNXRuUC9iQVNWV0laN0lxRWt5ZmdBbWZHd1UyTGYva1ZLVjE4dAppL0VDS25uUjJ3T0tBTGJza3VmWHMydzFZTkFjN3BpREZ3PT0KLS0tLS1FTkQgRUMgUFJJVkFURSBLRVktLS0tLQo=')
case(f('genSignedCert', 'x', {'list': ['bad-ip']}, {'list': []}, 1, FIXTURE_CA))
case(f('genSignedCert', 'x', {'list': []}, {'list': [3]}, 1, FIXTURE_CA))
case(f('genSignedCertWithKey', 'x', {'list': []}, {'list': []}, 1, FIXTURE_CA, 'nope'))
# (Go's ASN.1 parse error texts for malformed keys are not reproduced; see the report.)
case(f('buildCustomCert', 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJpekNDQVRHZ0F3SUJBZ0lRU0FLQ1IwKzcyUUJYbm9mcUZLaVJ1VEFLQmdncWhrak9QUVFEQWpBVk1STXcKRVFZRFZRUURFd3BtYVhoMGRYSmxMV05oTUNBWERUSTJNVEV5T0RBd01qZ3dPVm9ZRHpJeE1qWXhNVEEwTURBeQpPREE1V2pBVk1STXdFUVlEVlFRREV3cG1hWGgwZFhKbExXTmhNRmt3RXdZSEtvWkl6ajBDQVFZSUtvWkl6ajBECkFRY0RRZ0FFUCtpNDJkNUtwQ1VFQi9nNXRuUC9iQVNWV0laN0lxRWt5ZmdBbWZHd1UyTGYva1ZLVjE4dGkvRUMKS25uUjJ3T0tBTGJza3VmWHMydzFZTkFjN3BpREY2TmhNRjh3RGdZRFZSMFBBUUgvQkFRREFnS2tNQjBHQTFVZApKUVFXTUJRR0NDc0dBUVVGQndNQkJnZ3JCZ0VGQlFjREFqQVBCZ05WSFJNQkFmOEVCVEFEQVFIL01CMEdBMVVkCkRnUVdCQlJPVURxdTlpZDhSZmpic2NqRy9pTG5iRHVZRERBS0JnZ3Foa2pPUFFRREFnTklBREJGQWlFQWhuTzQKVnhYSHkxTStselROdWhnbXlveWNhcEhDVTc2aXJ5blcvMWF5YWVFQ0lGT0pNWW9RT09QaG9sellXQWYxRGR5NwphYVI2TFpJQjJlb1pBMFNCMWh4eAotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==', 'YWJj'))
case(f('genSelfSignedCertWithKey', 'x', {'list': ['300.1.1.1']}, {'list': []}, 1, 'nope'))
case(f('date_in_zone', '2006-01-02 15:04 MST', i64(T0), 'America/Sao_Paulo'))
case(f('date_modify', '90m', tdate('2024-03-01T00:00:00Z')))
case(f('must_date_modify', '-1h', tdate('2024-03-01T00:00:00Z')))
case(f('randBytes', -1))
case(f('bcrypt', '\u00fc' * 37))
case(f('encryptAES', '', ''))

# exotic layout elements
case(f('date', '.0000000000 .9999999999 ,99', tdate('2024-01-05T01:02:03.120000000Z')))
case(f('date', '__2 002 _2 2 Z07:00:00 -07:00:00', tdate('2024-01-05T01:02:03Z')))
case(f('date', 'Z07:00:00 Z070000 MST', tdate('2024-01-05T01:02:03-03:30')))
case(f('toDate', '15:04:05.0000000000', '10:30:00.1234567891'))
case(f('toDate', '2006-01-02 -07:00:00', '2024-01-05 +05:30:15'))
case(f('toDate', '2006-01-02 Z07', '2024-01-05 Z'))
case(f('toDate', '2006-01-02 Z07', '2024-01-05 -03'))
case(f('toDate', '2006-01-02 -0700', '2024-01-05 +2500'))
case(f('toDate', 'Jan _2', 'Feb  3'))
case(f('toDate', 'Monday, 02-Jan-06 15:04:05 MST', 'Tuesday, 14-Nov-23 22:13:20 UTC'))
case(f('toDate', '2006-01-02T15:04:05Z07:00', '2024-01-05T01:02:03.5Z'))

case(f('toDate', '2006-01-02', '2024-07-01', then=[{'field': 'IsDST'}]), tz='Europe/Berlin')
case(f('toDate', '2006-01-02', '2024-01-01', then=[{'field': 'IsDST'}]), tz='Europe/Berlin')
case(f('toDate', '2006-01-02', '2024-07-01', then=[{'field': 'Location'}]), tz='Europe/Berlin')
case(f('toDate', RFC, '2024-07-01T00:00:00+02:00', then=[{'field': 'Location'}]))


def run(c):
    tmpl = '{{ %s }}' % render(c['expr'])
    env = dict(os.environ, TZ=c['tz'])
    p = subprocess.run([HELM_EVAL, tmpl], capture_output=True, text=True, env=env)
    out = {'name': c['name'], 'tz': c['tz'], 'template': tmpl, 'expr': c['expr']}
    if p.returncode == 0:
        out['expected'] = p.stdout
    else:
        errs = [l for l in p.stderr.splitlines() if l.startswith('Error:')] or ['unknown error']
        err = errs[0]
        m = re.search(r'error calling \w+: (.*)$', err)
        out['error'] = m.group(1) if m else err
    return out


def main():
    results = [run(c) for c in CASES]
    with open(OUT, 'w') as fh:
        json.dump(results, fh, indent=1, ensure_ascii=False)
        fh.write('\n')
    print('%d cases -> %s' % (len(results), OUT))


if __name__ == '__main__':
    main()
