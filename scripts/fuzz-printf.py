#!/usr/bin/env python3
"""Differential fuzzing of printf/print/html/js/urlquery against the reference helm.

usage: scripts/fuzz-printf.py SEED COUNT > /tmp/cases.txt
       scripts/record-printf.py --cases /tmp/cases.txt --out /tmp/cases.tsv
       PRINTF_CASES=/tmp/cases.tsv cargo test --test printf

Generates random directives (flags, widths, precisions, `*`, argument indexes, every verb but
%p, whose output is an address) over a pool of operands, plus escaper calls and strings of
random code points (which exercise the Unicode printability table).
"""
import random
import sys

ARGS = ['0', '1', '3', '-3', '-1', '42', '255', '65', '0x1F600', '9223372036854775807',
        '(int64 -7)', '(int64 300)', '0.0', '-0.0', '1.5', '-2.25', '3.14159', '1e6', '1e21',
        '1e-7', '123456.789', '0.000123', '(float64 "NaN")', '(float64 "-Inf")',
        '(float64 "1e300")', '""', '"a"', '"héllo"', '"日本語"', '"a\\tb\\n"', '"\\u00a0x"',
        '"%d"', '"\\x00\\x1f\\x7f"', 'nil', 'true', 'false', '(list 1 "a")', '(list)',
        '(list nil 2.5)', '(dict "b" 1 "a" "x")', '(dict)', '(until 3)',
        '(splitList "," "x,y")', '(list (list 1) (dict "a" nil))',
        '(.Files.GetBytes "data.txt")', '.Values.port', '.Values.n', '.Values.m', '.Values.list']
VERBS = 'vvvdddssqqxxXeEfFgGbocUtTzO%'


def directive():
    d = '%'
    if random.random() < 0.2:
        d += '[%d]' % random.randint(0, 4)
    d += ''.join(random.sample('+-# 0', random.randint(0, 3)))
    r = random.random()
    if r < 0.3:
        d += str(random.randint(0, 12))
    elif r < 0.45:
        d += random.choice(['*', '[1]*', '[2]*'])
    r = random.random()
    if r < 0.3:
        d += '.' + str(random.randint(0, 8))
    elif r < 0.35:
        d += '.*'
    elif r < 0.38:
        d += '.'
    return d + random.choice(VERBS)


def code_points():
    out = []
    while len(out) < 8:
        c = random.choice([(0x80, 0x2FFF), (0x3000, 0xFFFF), (0x10000, 0x1FFFF),
                           (0x20000, 0x10FFFF)])
        c = random.randint(*c)
        if not 0xD800 <= c <= 0xDFFF:
            out.append('\\U%08X' % c)
    return ''.join(out)


def main():
    random.seed(int(sys.argv[1]))
    for _ in range(int(sys.argv[2])):
        r = random.random()
        if r < 0.7:
            n = random.randint(1, 3)
            fmt = ''.join(random.choice(['', '|', 'x']) + directive() for _ in range(n))
            nargs = random.choice([n, n, n, n - 1, n + 1, n + 2])
            print('printf "%s" %s' % (fmt, ' '.join(random.choice(ARGS) for _ in range(nargs))))
        elif r < 0.85:
            fn = random.choice(['print', 'println', 'html', 'js', 'urlquery'])
            args = ' '.join(random.choice(ARGS) for _ in range(random.randint(0, 4)))
            print(('%s %s' % (fn, args)).rstrip())
        else:
            fn = random.choice(['js "%s"', 'printf "%%q" "%s"', 'printf "%%+q" "%s"',
                                'printf "%%#q" "%s"', 'html "%s"'])
            print(fn % code_points())


if __name__ == '__main__':
    main()
