#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# embed.py turns profiles/seccomp/default.json into C tables that the
# resolver trusts, so it must refuse, at build time, any document whose
# shape it does not understand, with a message naming the JSON path; and it
# must accept the shipped profile and a small document using every field.
# Usage: test_policy_embed.py SOURCE_ROOT   (TAP output)
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = sys.argv[1]
EMBED = os.path.join(ROOT, 'src/policy/embed.py')
DATA = os.path.join(ROOT, 'tests/unit/data/seccomp')
LEVELS = [os.path.join(ROOT, 'profiles/policy/%s.json' % n)
          for n in ('privileged', 'baseline', 'restricted')]
VOCAB = [os.path.join(ROOT, 'src/security/seccomp_names.c'),
         os.path.join(ROOT, 'src/policy/policy.c')]
DEFAULT = json.load(open(os.path.join(ROOT, 'profiles/seccomp/default.json')))

tmp = tempfile.mkdtemp(prefix='cinch-embed-')
n_test = 0
failed = 0


def ok(cond, name, detail=''):
    global n_test, failed
    n_test += 1
    print('%sok %d - %s' % ('' if cond else 'not ', n_test, name))
    if not cond:
        failed += 1
        for line in detail.splitlines():
            print('# ' + line)


def embed(seccomp_path):
    out = os.path.join(tmp, 'builtin.c')
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([sys.executable, EMBED, out] + LEVELS + [seccomp_path] + VOCAB,
                       capture_output=True, text=True)
    return p, out


def write(name, doc=None, text=None):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(text if text is not None else json.dumps(doc))
    return path


def rule_index(pred):
    return next(i for i, r in enumerate(DEFAULT['syscalls']) if pred(r))


def expect_refused(name, path, want):
    p, out = embed(path)
    ok(p.returncode != 0 and want in p.stderr and path in p.stderr and not os.path.exists(out),
       '%s: refused naming %s' % (name, want),
       'exit %d, stderr: %s' % (p.returncode, p.stderr))


# The shipped profile is accepted and becomes tables, not JSON text.
p, out = embed(os.path.join(ROOT, 'profiles/seccomp/default.json'))
text = open(out).read() if p.returncode == 0 else ''
ok(p.returncode == 0 and 'policy_seccomp_default_table' in text
   and 'policy_seccomp_default_json' not in text,
   'default.json accepted as tables', p.stderr)

# Every field kind, including a full-range u64 and an empty args list; the
# output must compile.
p, out = embed(os.path.join(DATA, 'good-small.json'))
ok(p.returncode == 0, 'good-small.json accepted', p.stderr)
cc = shutil.which(os.environ.get('CC', 'cc'))
if p.returncode == 0 and cc:
    c = subprocess.run([cc, '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only',
                        '-I', os.path.join(ROOT, 'include'),
                        '-I', os.path.join(ROOT, 'src/policy'), out],
                       capture_output=True, text=True)
    ok(c.returncode == 0, 'good-small.json tables compile', c.stderr)
    t = open(out).read()
    ok('UINT64_C(18446744073709551615)' in t and '{.value = 38, .present = true}' in t,
       'good-small.json values kept', t[-2000:])
else:
    print('ok %d - # SKIP no C compiler' % (n_test + 1))
    n_test += 1

# A small bad document from the test data.
expect_refused('bad-op.json', os.path.join(DATA, 'bad-op.json'),
               '.syscalls[1].args[0].op: unknown seccomp operator "SCMP_CMP_EQUAL"')

args_i = rule_index(lambda r: r.get('args'))
inc_caps_i = rule_index(lambda r: 'caps' in r.get('includes', {}))
inc_arch_i = rule_index(lambda r: 'arches' in r.get('includes', {}))
allow_i = rule_index(lambda r: r['action'] == 'SCMP_ACT_ALLOW')


def mutate(fn):
    d = copy.deepcopy(DEFAULT)
    fn(d)
    return d


cases = [
    ('unknown top-level key', lambda d: d.update(defaultActoin='SCMP_ACT_ERRNO'),
     '.defaultActoin: unknown key'),
    ('missing syscalls', lambda d: d.pop('syscalls'), '.syscalls: missing'),
    ('unknown default action', lambda d: d.update(defaultAction='SCMP_ACT_DENY'),
     '.defaultAction: unknown seccomp action "SCMP_ACT_DENY"'),
    ('defaultErrnoRet a string', lambda d: d.update(defaultErrnoRet='1'),
     '.defaultErrnoRet: expected an integer'),
    ('archMap not an array', lambda d: d.update(archMap={}), '.archMap: expected an array'),
    ('archMap architecture not SCMP_ARCH_', lambda d: d['archMap'][1].update(architecture='aarch64'),
     '.archMap[1].architecture: invalid value'),
    ('names a string', lambda d: d['syscalls'][0].update(names='read'),
     '.syscalls[0].names: expected an array'),
    ('names empty', lambda d: d['syscalls'][2].update(names=[]),
     '.syscalls[2].names: must not be empty'),
    ('name not a string', lambda d: d['syscalls'][0]['names'].insert(3, 7),
     '.syscalls[0].names[3]: expected a string'),
    ('missing action', lambda d: d['syscalls'][1].pop('action'), '.syscalls[1].action: missing'),
    ('unknown action', lambda d: d['syscalls'][3].update(action='SCMP_ACT_ALLOWW'),
     '.syscalls[3].action: unknown seccomp action "SCMP_ACT_ALLOWW"'),
    ('errnoRet with ALLOW', lambda d: d['syscalls'][allow_i].update(errnoRet=1),
     '.syscalls[%d].errnoRet: only valid with an action that takes an errno' % allow_i),
    ('unknown rule key', lambda d: d['syscalls'][4].update(arg=[]),
     '.syscalls[4].arg: unknown key'),
    ('unknown op', lambda d: d['syscalls'][args_i]['args'][0].update(op='SCMP_CMP_EQUALS'),
     '.syscalls[%d].args[0].op: unknown seccomp operator' % args_i),
    ('index a boolean', lambda d: d['syscalls'][args_i]['args'][0].update(index=True),
     '.syscalls[%d].args[0].index: expected an integer, got a boolean' % args_i),
    ('index out of range', lambda d: d['syscalls'][args_i]['args'][0].update(index=6),
     '.syscalls[%d].args[0].index: 6 is out of range' % args_i),
    ('negative value', lambda d: d['syscalls'][args_i]['args'][0].update(value=-1),
     '.syscalls[%d].args[0].value: -1 is out of range' % args_i),
    ('misspelt valueTwo', lambda d: d['syscalls'][args_i]['args'][0].update(valuetwo=0),
     '.syscalls[%d].args[0].valuetwo: unknown key' % args_i),
    ('unknown condition key', lambda d: d['syscalls'][inc_caps_i]['includes'].update(cap=[]),
     '.syscalls[%d].includes.cap: unknown key' % inc_caps_i),
    ('unknown capability',
     lambda d: d['syscalls'][inc_caps_i]['includes'].update(caps=['CAP_SYS_ADMN']),
     '.syscalls[%d].includes.caps[0]: unknown capability "CAP_SYS_ADMN"' % inc_caps_i),
    ('empty caps condition', lambda d: d['syscalls'][inc_caps_i]['includes'].update(caps=[]),
     '.syscalls[%d].includes.caps: must not be empty' % inc_caps_i),
    ('unknown arch condition',
     lambda d: d['syscalls'][inc_arch_i]['includes'].update(arches=['sparc64']),
     '.syscalls[%d].includes.arches[0]: architecture "sparc64"' % inc_arch_i),
    ('excludes not an object', lambda d: d['syscalls'][0].update(excludes=['CAP_SYS_ADMIN']),
     '.syscalls[0].excludes: expected an object'),
    ('comment not a string', lambda d: d['syscalls'][0].update(comment=1),
     '.syscalls[0].comment: expected a string'),
]
for i, (name, fn, want) in enumerate(cases):
    expect_refused(name, write('case%d.json' % i, mutate(fn)), want)

expect_refused('not JSON', write('broken.json', text='{"defaultAction": '), 'Expecting value')
expect_refused('duplicate key', write('dup.json', text='{"syscalls": [], "syscalls": []}'),
               'duplicate key(s) syscalls')
expect_refused('not an object', write('array.json', text='[]'), '.: expected an object')

shutil.rmtree(tmp)
print('1..%d' % n_test)
sys.exit(1 if failed else 0)
