#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Compiles the shipped policy and seccomp documents into builtin.c, so the
# binary's built-in levels are exactly profiles/policy/*.json and need no
# installed data files. The policy levels are embedded as JSON text; the
# default seccomp profile becomes static C tables (seccomp_profile.c
# resolves it per create from them, without parsing JSON), so its shape is
# checked HERE: anything the tables cannot express stops the build.
# Usage: embed.py OUT privileged.json baseline.json restricted.json
#        seccomp-default.json seccomp_names.c policy.c
# (seccomp_names.c: the SCMP_ACT_*/SCMP_CMP_* names the security module
# accepts; policy.c: the capability names the policy knows.)
import json
import re
import sys


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError('duplicate key(s) %s' % ', '.join(dup))
    return dict(pairs)


def load(path):
    try:
        text = open(path, 'rb').read().decode('utf-8')
        return json.loads(text, object_pairs_hook=no_duplicates)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise SystemExit('embed.py: %s: %s' % (path, e))


def c_string(path):
    # Embedded without whitespace: every create parses the policy level, and
    # a third of its bytes were indentation (docs/performance.md). Same
    # document otherwise (key order kept; a duplicate key, which the loader
    # would refuse, stops the build).
    data = json.dumps(load(path), ensure_ascii=False, separators=(',', ':'))
    out = []
    for i in range(0, len(data), 96):  # adjacent literals, readable lines
        chunk = data[i:i + 96]
        esc = chunk.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
        out.append('    "%s"' % esc)
    return '\n'.join(out) if out else '    ""'


# ---- the vocabulary, read from the C sources that enforce it ----

def names_in(path, pattern, what):
    found = re.findall(pattern, open(path, encoding='utf-8').read(), re.M)
    if not found:
        raise SystemExit('embed.py: %s: found no %s (table format changed?)' % (path, what))
    return found


def vocabulary(seccomp_names_c, policy_c):
    # {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), ACTION_WITH_ERRNO},
    acts = names_in(seccomp_names_c, r'\{"(SCMP_ACT_\w+)",[^{}]*?\b(ACTION_\w+)\}',
                    'SCMP_ACT_* actions')
    ops = names_in(seccomp_names_c, r'\{"(SCMP_CMP_\w+)",', 'SCMP_CMP_* operators')
    caps = names_in(policy_c, r'^\s*"(CAP_[A-Z0-9_]+)",\s*$', 'capability names')
    return {
        'actions': {name: kind == 'ACTION_WITH_ERRNO' for name, kind in acts},
        'ops': set(ops),
        'caps': set(caps),
    }


# ---- shape checks: every failure names the JSON path ----

class Checker:
    def __init__(self, source, vocab):
        self.source = source
        self.vocab = vocab

    def fail(self, path, msg):
        raise SystemExit('embed.py: %s: %s: %s' % (self.source, path or '.', msg))

    def obj(self, v, path, required, optional):
        if not isinstance(v, dict):
            self.fail(path, 'expected an object, got %s' % kind(v))
        for k in v:
            if k != 'comment' and k not in required and k not in optional:
                self.fail('%s.%s' % (path, k), 'unknown key')
        for k in required:
            if k not in v:
                self.fail('%s.%s' % (path, k), 'missing')
        if 'comment' in v:
            self.string(v['comment'], path + '.comment')
        return v

    def array(self, v, path, nonempty=False):
        if not isinstance(v, list):
            self.fail(path, 'expected an array, got %s' % kind(v))
        if nonempty and not v:
            self.fail(path, 'must not be empty')
        return v

    def string(self, v, path, pattern=None):
        if not isinstance(v, str):
            self.fail(path, 'expected a string, got %s' % kind(v))
        if pattern and not re.fullmatch(pattern, v):
            self.fail(path, 'invalid value "%s"' % v)
        return v

    def integer(self, v, path, hi):
        # bool is an int in Python; JSON true is not a number.
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(path, 'expected an integer, got %s' % kind(v))
        if v < 0 or v > hi:
            self.fail(path, '%d is out of range 0..%d' % (v, hi))
        return v

    def action(self, v, path):
        self.string(v, path)
        if v not in self.vocab['actions']:
            self.fail(path, 'unknown seccomp action "%s"' % v)
        return v

    def errno_ret(self, obj, key, action, path):
        if key not in obj:
            return None
        # Same limits as src/security/seccomp_names.c applies at create time.
        if not self.vocab['actions'][action]:
            self.fail('%s.%s' % (path, key), 'only valid with an action that takes an '
                      'errno (SCMP_ACT_ERRNO, SCMP_ACT_TRACE), not %s' % action)
        return self.integer(obj[key], '%s.%s' % (path, key), 0xffff)


def kind(v):
    if isinstance(v, bool):
        return 'a boolean'
    if v is None:
        return 'null'
    return {dict: 'an object', list: 'an array', str: 'a string', int: 'an integer',
            float: 'a number'}.get(type(v), type(v).__name__)


ARCH = r'SCMP_ARCH_[A-Z0-9_]+'
SYSCALL = r'[a-z0-9_]+'
U64 = (1 << 64) - 1


def check_seccomp(doc, ck):
    """Returns the document reduced to what the tables hold, checked."""
    ck.obj(doc, '', ('defaultAction', 'syscalls'), ('defaultErrnoRet', 'archMap'))
    out = {'defaultAction': ck.action(doc['defaultAction'], '.defaultAction')}
    out['defaultErrnoRet'] = ck.errno_ret(doc, 'defaultErrnoRet', out['defaultAction'], '')
    out['archMap'] = []
    for i, e in enumerate(ck.array(doc.get('archMap', []), '.archMap')):
        p = '.archMap[%d]' % i
        ck.obj(e, p, ('architecture', 'subArchitectures'), ())
        subs = ck.array(e['subArchitectures'], p + '.subArchitectures')
        out['archMap'].append((ck.string(e['architecture'], p + '.architecture', ARCH),
                               [ck.string(s, '%s.subArchitectures[%d]' % (p, j), ARCH)
                                for j, s in enumerate(subs)]))
    # "arches" conditions name architectures the short way ("s390x"); one
    # that no target can ever be (a typo) would silently never match.
    arches = {'amd64', 'arm64'}
    for a, subs in out['archMap']:
        arches.update(x[len('SCMP_ARCH_'):].lower() for x in [a] + subs)
    out['syscalls'] = []
    for i, r in enumerate(ck.array(doc['syscalls'], '.syscalls')):
        p = '.syscalls[%d]' % i
        ck.obj(r, p, ('names', 'action'), ('errnoRet', 'args', 'includes', 'excludes'))
        rule = {
            'names': [ck.string(n, '%s.names[%d]' % (p, j), SYSCALL)
                      for j, n in enumerate(ck.array(r['names'], p + '.names', True))],
            'action': ck.action(r['action'], p + '.action'),
        }
        rule['errnoRet'] = ck.errno_ret(r, 'errnoRet', rule['action'], p)
        rule['args'] = None
        if 'args' in r:
            rule['args'] = []
            for j, a in enumerate(ck.array(r['args'], p + '.args')):
                q = '%s.args[%d]' % (p, j)
                ck.obj(a, q, ('index', 'value', 'op'), ('valueTwo',))
                op = ck.string(a['op'], q + '.op')
                if op not in ck.vocab['ops']:
                    ck.fail(q + '.op', 'unknown seccomp operator "%s"' % op)
                rule['args'].append({
                    'index': ck.integer(a['index'], q + '.index', 5),
                    'value': ck.integer(a['value'], q + '.value', U64),
                    'valueTwo': (ck.integer(a['valueTwo'], q + '.valueTwo', U64)
                                 if 'valueTwo' in a else None),
                    'op': op,
                })
        for cond in ('includes', 'excludes'):
            rule[cond] = {'caps': [], 'arches': []}
            if cond not in r:
                continue
            q = '%s.%s' % (p, cond)
            ck.obj(r[cond], q, (), ('caps', 'arches'))
            # An empty list would be a condition on nothing: refused, so
            # that an empty table in C means "no condition".
            if 'caps' in r[cond]:
                for j, c in enumerate(ck.array(r[cond]['caps'], q + '.caps', True)):
                    ck.string(c, '%s.caps[%d]' % (q, j))
                    if c not in ck.vocab['caps']:
                        ck.fail('%s.caps[%d]' % (q, j), 'unknown capability "%s"' % c)
                    rule[cond]['caps'].append(c)
            if 'arches' in r[cond]:
                for j, a in enumerate(ck.array(r[cond]['arches'], q + '.arches', True)):
                    ck.string(a, '%s.arches[%d]' % (q, j))
                    if a not in arches:
                        ck.fail('%s.arches[%d]' % (q, j), 'architecture "%s" is none of '
                                "archMap's (nor amd64, arm64)" % a)
                    rule[cond]['arches'].append(a)
        out['syscalls'].append(rule)
    return out


# ---- the C tables (types in policy-internal.h) ----

def lit(s):
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')


def opt(v, fmt='%d'):
    if v is None:
        return '{.present = false}'
    return '{.value = %s, .present = true}' % (fmt % v)


def strings(f, name, items):
    """A static array of string literals; returns the C expression for it."""
    if not items:
        return 'NULL'
    f.write('static const char *const %s[] = {\n' % name)
    for s in items:
        f.write('    %s,\n' % lit(s))
    f.write('};\n')
    return name


def write_seccomp(f, sec):
    f.write('\n/* profiles/seccomp/default.json, checked by embed.py. */\n')
    arch_rows = []
    for i, (a, subs) in enumerate(sec['archMap']):
        arch_rows.append('    {%s, %s, %d},\n' % (lit(a), strings(f, 'arch%d_subs' % i, subs),
                                                  len(subs)))
    if arch_rows:
        f.write('static const struct seccomp_table_arch arch_map[] = {\n%s};\n'
                % ''.join(arch_rows))
    rule_rows = []
    for i, r in enumerate(sec['syscalls']):
        names = strings(f, 'rule%d_names' % i, r['names'])
        args = 'NULL'
        if r['args']:
            args = 'rule%d_args' % i
            f.write('static const struct seccomp_table_arg %s[] = {\n' % args)
            for a in r['args']:
                f.write('    {%d, UINT64_C(%d), %s, %s},\n'
                        % (a['index'], a['value'], opt(a['valueTwo'], 'UINT64_C(%d)'), lit(a['op'])))
            f.write('};\n')
        conds = []
        for cond in ('includes', 'excludes'):
            c = r[cond]
            caps = strings(f, 'rule%d_%s_caps' % (i, cond[:3]), c['caps'])
            arches = strings(f, 'rule%d_%s_arches' % (i, cond[:3]), c['arches'])
            conds.append('{%s, %d, %s, %d}' % (caps, len(c['caps']), arches, len(c['arches'])))
        rule_rows.append(
            '    {%s, %d, %s, %s, %s, %d, %s, %s, %s},\n'
            % (names, len(r['names']), lit(r['action']), opt(r['errnoRet']), args,
               len(r['args'] or ()), 'true' if r['args'] is not None else 'false',
               conds[0], conds[1]))
    if rule_rows:
        f.write('static const struct seccomp_table_rule rules[] = {\n%s};\n' % ''.join(rule_rows))
    f.write('const struct seccomp_table policy_seccomp_default_table = {\n'
            '    .default_action = %s,\n'
            '    .default_errno_ret = %s,\n'
            '    .arch_map = %s,\n'
            '    .n_arch_map = %d,\n'
            '    .rules = %s,\n'
            '    .n_rules = %d,\n'
            '};\n' % (lit(sec['defaultAction']), opt(sec['defaultErrnoRet']),
                      'arch_map' if arch_rows else 'NULL', len(arch_rows),
                      'rules' if rule_rows else 'NULL', len(rule_rows)))


def main(argv):
    if len(argv) != 8:
        raise SystemExit('usage: embed.py OUT privileged.json baseline.json restricted.json '
                         'seccomp-default.json seccomp_names.c policy.c')
    out, priv, base, restr, seccomp, names_c, policy_c = argv[1:]
    sec = check_seccomp(load(seccomp), Checker(seccomp, vocabulary(names_c, policy_c)))
    levels = [(name, c_string(path))
              for name, path in (('PRIVILEGED', priv), ('BASELINE', base), ('RESTRICTED', restr))]
    with open(out, 'w') as f:
        f.write('/* Generated by src/policy/embed.py from profiles/: do not edit. */\n')
        f.write('#include "policy-internal.h"\n\n')
        f.write('const char *const policy_builtin_json[CINCH_POLICY_LEVEL_COUNT] = {\n')
        for name, text in levels:
            f.write('    [CINCH_POLICY_%s] =\n%s,\n' % (name, text))
        f.write('};\n')
        write_seccomp(f, sec)


if __name__ == '__main__':
    main(sys.argv)
