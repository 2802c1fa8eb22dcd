#!/usr/bin/env python3
"""Validate the HTML mail corpus in this directory (stdlib only).

    python3 tests/data/html-corpus/check.py

For every *.eml: it parses with the `email` package, uses CRLF line ends, is
multipart/alternative with a UTF-8 text/plain and text/html part, has a
Message-ID <corpus-NN@satu.test> matching its file number and a Date in
November 2026.  manifest.json must list every .eml exactly once.

For every check in the manifest: the selector (simple subset: tag, #id, .class,
[attr], [attr=value], descendant and '>' combinators) must match at least one
element of the HTML body; the first match (querySelector semantics) is what a
browser test looks at.  The expected value is then recomputed from the mail's
own CSS (style attribute, <style> rules outside @media, dir attribute,
inheritance) and must agree; a property set for that element inside an @media
block is an error (the value would depend on the viewport), and so is a check
on a hostile element.  The "hostile" list must name exactly the hostile bits
found in the HTML.

Prints "N mails, M checks" and exits 0, or lists the problems and exits 1.
"""
import email
import email.policy
import email.utils
import json
import os
import re
import sys
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
BEACON = '127.0.0.1:45999'
VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta',
        'param', 'source', 'track', 'wbr'}
KINDS = {'newsletter', 'receipt', 'calendar', 'outlook-reply', 'gmail-reply', 'arabic', 'chinese'}
HOSTILE = {'script', 'onload', 'onerror', 'css-background-url', 'img-beacon', 'css-import',
           'position-fixed'}
INHERITED = {'color', 'font-size', 'font-weight', 'font-style', 'font-family', 'direction',
             'text-align', 'line-height', 'letter-spacing', 'text-transform', 'border-collapse',
             'visibility', 'white-space'}
# Properties that quirks-mode tables do not inherit from outside the table.
TABLE_QUIRK = {'font-size', 'font-weight', 'font-style', 'line-height', 'text-align', 'white-space'}
NAMED = {'white': (255, 255, 255), 'black': (0, 0, 0), 'red': (255, 0, 0),
         'transparent': None}
SIZE_KW = {'xx-small': 9, 'x-small': 10, 'small': 13, 'medium': 16, 'large': 18,
           'x-large': 24, 'xx-large': 32}
BORDER_STYLES = {'none', 'hidden', 'dotted', 'dashed', 'solid', 'double', 'groove', 'ridge',
                 'inset', 'outset'}

problems = []
warnings = []


def err(where, msg):
    problems.append('%s: %s' % (where, msg))


def warn(where, msg):
    warnings.append('%s: %s' % (where, msg))


# ------------------------------------------------------------------ HTML tree
class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []
        self.classes = set((attrs.get('class') or '').split())

    def ancestors(self):
        n = self.parent
        while n is not None and n.tag != '#root':
            yield n
            n = n.parent

    def walk(self):
        for c in self.children:
            yield c
            yield from c.walk()


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node('#root', {}, None)
        self.stack = [self.root]
        self.styles = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or '') for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag == 'style':
            self.styles.append('')
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: (v or '') for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.stack[-1].tag == 'style':
            self.styles[-1] += data


# ------------------------------------------------------------------ selectors
COMPOUND = re.compile(r'^(\*|[a-zA-Z][\w-]*)?((?:[#.][\w-]+|\[[^\]]+\])*)$')
PART = re.compile(r'([#.])([\w-]+)|\[\s*([\w-]+)\s*(?:=\s*"?([^"\]]*)"?\s*)?\]')


def parse_selector(sel):
    """'div.a > p' -> [(None, compound), ('>', compound)] or None if unsupported."""
    tokens = re.findall(r'>|[^\s>]+', sel.strip())
    out, comb = [], ' '
    for t in tokens:
        if t == '>':
            comb = '>'
            continue
        m = COMPOUND.match(t)
        if not m or not (m.group(1) or m.group(2)):
            return None
        tag = (m.group(1) or '*').lower()
        ids, classes, attrs = [], [], []
        for pm in PART.finditer(m.group(2) or ''):
            if pm.group(1) == '#':
                ids.append(pm.group(2))
            elif pm.group(1) == '.':
                classes.append(pm.group(2))
            else:
                attrs.append((pm.group(3).lower(), pm.group(4)))
        out.append((comb, (tag, ids, classes, attrs)))
        comb = ' '
    return out or None


def specificity(parsed):
    a = b = c = 0
    for _, (tag, ids, classes, attrs) in parsed:
        a += len(ids)
        b += len(classes) + len(attrs)
        c += tag != '*'
    return (a, b, c)


def match_compound(node, comp):
    tag, ids, classes, attrs = comp
    if node.tag == '#root' or (tag != '*' and node.tag != tag):
        return False
    if any(node.attrs.get('id') != i for i in ids):
        return False
    if any(c not in node.classes for c in classes):
        return False
    for name, val in attrs:
        if name not in node.attrs or (val is not None and node.attrs[name] != val):
            return False
    return True


def matches(node, parsed, i=None):
    if i is None:
        i = len(parsed) - 1
    comb, comp = parsed[i]
    if not match_compound(node, comp):
        return False
    if i == 0:
        return True
    if parsed[i][0] == '>':
        return node.parent is not None and matches(node.parent, parsed, i - 1)
    return any(matches(a, parsed, i - 1) for a in node.ancestors())


# ------------------------------------------------------------------ CSS
def decls(text):
    out = []
    for d in text.split(';'):
        if ':' in d:
            k, v = d.split(':', 1)
            v = re.sub(r'\s*!important\s*$', '', v.strip(), flags=re.I)
            out.append((k.strip().lower(), v))
    return out


def split_blocks(css):
    """Top-level (prelude, body) pairs of a stylesheet."""
    out, i, n = [], 0, len(css)
    while i < n:
        j = css.find('{', i)
        if j < 0:
            break
        depth, k = 1, j + 1
        while k < n and depth:
            depth += {'{': 1, '}': -1}.get(css[k], 0)
            k += 1
        prelude = css[i:j]
        prelude = prelude[prelude.rfind(';') + 1:] if prelude.lstrip().startswith('@import') else prelude
        out.append((prelude.strip(), css[j + 1:k - 1]))
        i = k
    return out


def stylesheet(style_texts):
    """-> (rules, media_rules); a rule is (parsed selector, specificity, order, decls, text)."""
    rules, media, order = [], [], 0
    for css in style_texts:
        css = re.sub(r'/\*.*?\*/', '', css, flags=re.S).replace('<!--', '').replace('-->', '')
        css = re.sub(r'@import[^;]*;', '', css)
        for prelude, body in split_blocks(css):
            target = rules
            blocks = [(prelude, body)]
            if prelude.startswith('@media'):
                target, blocks = media, split_blocks(body)
            elif prelude.startswith('@'):
                continue
            for sel_list, body2 in blocks:
                ds = decls(body2)
                for sel in sel_list.split(','):
                    parsed = parse_selector(sel)
                    if parsed:
                        order += 1
                        target.append((parsed, specificity(parsed), order, ds, sel.strip()))
    return rules, media


def family(prop):
    """Declarations that can set `prop` (longhand first)."""
    fam = [prop]
    parts = prop.split('-')
    if parts[0] == 'border' and len(parts) == 3 and parts[1] in ('top', 'right', 'bottom', 'left'):
        fam += ['border-' + parts[1], 'border-' + parts[2], 'border']
    elif prop.startswith('border-') and prop.endswith('-radius'):
        fam += ['border-radius']
    elif parts[0] in ('padding', 'margin') and len(parts) == 2:
        fam += [parts[0]]
    elif prop == 'background-color':
        fam += ['background']
    elif prop.startswith('font-') and prop != 'font-family':
        fam += ['font']
    elif prop == 'text-decoration-line':
        fam += ['text-decoration']
    return fam


def css_tokens(v):
    return re.findall(r'[\w#.%-]+\([^)]*\)|"[^"]*"|\'[^\']*\'|[^\s,/]+', v)


def is_color(t):
    t = t.lower()
    return bool(re.match(r'^#[0-9a-f]{3}([0-9a-f]{3})?$', t) or t.startswith(('rgb(', 'rgba('))
                or t in NAMED or t in ('windowtext', 'black', 'white'))


def is_length(t):
    return bool(re.match(r'^-?[\d.]+(px|pt|em|ex|cm|mm|%)?$', t.lower())) or t in ('thin', 'medium', 'thick')


SIDES = ('top', 'right', 'bottom', 'left')


def four(values, side):
    if not values:
        return None
    idx = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}[min(len(values), 4)]
    return values[idx[SIDES.index(side)]]


def value_from(prop, name, value):
    """The value `prop` gets from declaration `name: value`, or None."""
    if name == prop:
        return value
    toks = css_tokens(value)
    parts = prop.split('-')
    if name == 'background':
        return next((t for t in toks if is_color(t)), None)
    if name in ('border', 'border-top', 'border-right', 'border-bottom', 'border-left'):
        want = parts[2]
        if want == 'style':
            return next((t for t in toks if t.lower() in BORDER_STYLES), None)
        if want == 'color':
            return next((t for t in toks if is_color(t)), None)
        if want == 'width':
            return next((t for t in toks if is_length(t)), None)
    if name in ('border-style', 'border-color', 'border-width'):
        return four(toks, parts[1])
    if name in ('padding', 'margin'):
        return four(toks, parts[1])
    if name == 'border-radius':
        return toks[0] if toks else None
    if name == 'text-decoration' and prop == 'text-decoration-line':
        return next((t for t in toks if t in ('underline', 'line-through', 'overline', 'none')), None)
    return None


def fmt_px(x):
    s = ('%.4f' % x).rstrip('0').rstrip('.')
    return (s if s != '-0' else '0') + 'px'


def normalize(prop, v):
    """Approximate getComputedStyle() output, or None when it cannot be predicted."""
    v = v.strip().strip('"\'')
    low = v.lower()
    if prop.endswith('color'):
        if low.startswith('#'):
            h = low[1:]
            if len(h) == 3:
                h = ''.join(c * 2 for c in h)
            return 'rgb(%d, %d, %d)' % tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
        m = re.match(r'rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)$', low)
        if m:
            if m.group(4) is not None and float(m.group(4)) < 1:
                return 'rgba(%s, %s, %s, %s)' % m.groups()
            return 'rgb(%s, %s, %s)' % m.groups()[:3]
        if NAMED.get(low):
            return 'rgb(%d, %d, %d)' % NAMED[low]
        return None
    if prop == 'font-weight':
        return {'bold': '700', 'normal': '400'}.get(low, low)
    if prop == 'font-size' and low in SIZE_KW:
        return '%dpx' % SIZE_KW[low]
    m = re.match(r'^(-?[\d.]+)(px|pt|cm|mm)?$', low)
    if m and (m.group(2) or float(m.group(1)) == 0):
        x = float(m.group(1)) * {'px': 1, 'pt': 4 / 3, 'cm': 96 / 2.54, 'mm': 9.6 / 2.54, None: 0}[m.group(2)]
        return fmt_px(x)
    if re.match(r'^-?[\d.]+(em|ex|%|rem|vw|vh)$', low):
        return None
    return low


def resolve(node, prop, rules):
    """-> (value, source description) or (None, None)."""
    n, crossed_table = node, False
    while n is not None and n.tag != '#root':
        found = None
        # author stylesheet rules, lowest precedence first
        for parsed, spec, order, ds, text in sorted(rules, key=lambda r: (r[1], r[2])):
            if matches(n, parsed):
                for name, val in ds:
                    if name in family(prop):
                        got = value_from(prop, name, val)
                        if got is not None:
                            found = (got, 'rule %s on <%s>' % (text, n.tag))
        for name, val in decls(n.attrs.get('style', '')):
            if name in family(prop):
                got = value_from(prop, name, val)
                if got is not None:
                    found = (got, 'style attribute on <%s>' % n.tag)
        if found is None and prop == 'direction' and n.attrs.get('dir', '').lower() in ('rtl', 'ltr'):
            found = (n.attrs['dir'].lower(), 'dir attribute on <%s>' % n.tag)
        if found:
            if n is not node and crossed_table and prop in TABLE_QUIRK:
                found = (found[0], found[1] + ' (inherited into a table: quirks mode may differ)')
            return found
        if prop not in INHERITED:
            return None, None
        if n.tag == 'table':
            crossed_table = True
        n = n.parent
    return None, None


# ------------------------------------------------------------------ hostile bits
def hostile_found(html, nn):
    beacon = re.escape('http://%s/beacon/%s' % (BEACON, nn))
    found = set()
    if re.search(r'<script\b[^>]*>\s*window\.satuCanary=1\s*</script>', html, re.I):
        found.add('script')
    if re.search(r'<[^>]+\sonload\s*=', html, re.I):
        found.add('onload')
    if re.search(r'<[^>]+\sonerror\s*=', html, re.I):
        found.add('onerror')
    if re.search(r'background(-image)?\s*:[^;"]*url\(\s*[\'"]?' + beacon + r'[\'")]', html, re.I):
        found.add('css-background-url')
    if re.search(r'<img\b[^>]*\ssrc\s*=\s*[\'"]?' + beacon + r'[\'"\s>]', html, re.I):
        found.add('img-beacon')
    if re.search(r'@import\s+url\(\s*[\'"]?' + beacon + r'\.css[\'"]?\s*\)', html, re.I):
        found.add('css-import')
    if re.search(r'position\s*:\s*fixed', html, re.I):
        found.add('position-fixed')
    for m in re.finditer(re.escape(BEACON) + r'(/[^\s"\')]*)', html):
        if not re.match(r'^/beacon/%s(\.css)?$' % nn, m.group(1)):
            found.add('bad beacon path ' + m.group(1))
    return found


def is_hostile_node(node, nn):
    for n in [node] + list(node.ancestors()):
        if re.search(r'position\s*:\s*fixed', n.attrs.get('style', ''), re.I):
            return 'inside a position:fixed element'
    if any(k.startswith('on') for k in node.attrs):
        return 'has an event handler'
    if BEACON in node.attrs.get('style', '') or BEACON in node.attrs.get('src', ''):
        return 'loads the beacon'
    if node.tag == 'script':
        return 'is a script'
    return None


# ------------------------------------------------------------------ main
def main():
    with open(os.path.join(HERE, 'manifest.json'), encoding='utf-8') as f:
        manifest = json.load(f)
    files = sorted(n for n in os.listdir(HERE) if n.endswith('.eml'))
    listed = [e.get('file') for e in manifest]
    for name in files:
        if listed.count(name) != 1:
            err(name, 'listed %d times in manifest.json' % listed.count(name))
    for name in listed:
        if name not in files:
            err(name, 'in manifest.json but no such file')
    seen_ids = set()
    n_checks = n_verified = n_unique = 0
    for entry in manifest:
        name = entry.get('file', '?')
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            continue
        nn = name[:2]
        raw = open(path, 'rb').read()
        if raw.count(b'\n') != raw.count(b'\r\n'):
            err(name, 'has bare LF line ends')
        if any(len(line) > 998 for line in raw.split(b'\r\n')):
            err(name, 'has a line longer than 998 octets')
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for h in ('From', 'To', 'Subject', 'Date', 'Message-ID'):
            if not msg[h]:
                err(name, 'missing %s header' % h)
        mid = str(msg['Message-ID'] or '').strip()
        if mid != '<corpus-%s@satu.test>' % nn:
            err(name, 'Message-ID %r does not match the file number' % mid)
        if mid in seen_ids:
            err(name, 'duplicate Message-ID')
        seen_ids.add(mid)
        try:
            d = email.utils.parsedate_to_datetime(str(msg['Date']))
            if (d.year, d.month) != (2026, 11):
                err(name, 'Date %s is not in November 2026' % msg['Date'])
        except (TypeError, ValueError):
            err(name, 'unparsable Date')
        if str(msg['Subject']) != entry.get('subject'):
            err(name, 'Subject %r differs from manifest %r' % (str(msg['Subject']), entry.get('subject')))
        if entry.get('kind') not in KINDS:
            err(name, 'unknown kind %r' % entry.get('kind'))
        if msg.get_content_type() != 'multipart/alternative':
            err(name, 'top level is %s, not multipart/alternative' % msg.get_content_type())
        parts = {}
        for part in msg.walk():
            ct = part.get_content_type()
            if ct in ('text/plain', 'text/html'):
                if part.get_content_charset() != 'utf-8':
                    err(name, '%s charset is %s' % (ct, part.get_content_charset()))
                if part['Content-Transfer-Encoding'] not in ('quoted-printable', 'base64', '7bit'):
                    err(name, '%s has CTE %s' % (ct, part['Content-Transfer-Encoding']))
                parts[ct] = part.get_content()
        if set(parts) != {'text/plain', 'text/html'}:
            err(name, 'parts found: %s' % sorted(parts))
            continue
        if not parts['text/plain'].strip():
            err(name, 'empty text/plain part')
        html = parts['text/html']

        declared = entry.get('hostile', [])
        if not isinstance(declared, list) or not set(declared) <= HOSTILE:
            err(name, 'bad hostile list %r' % declared)
        found = hostile_found(html, nn)
        if found != set(declared):
            err(name, 'hostile bits found %s but manifest says %s' % (sorted(found), sorted(declared)))

        tb = TreeBuilder()
        tb.feed(html)
        tb.close()
        rules, media = stylesheet(tb.styles)
        body = [n for n in tb.root.walk()]
        checks = entry.get('checks', [])
        if not 3 <= len(checks) <= 5:
            err(name, '%d checks (want 3-5)' % len(checks))
        for c in checks:
            n_checks += 1
            where = '%s %s {%s}' % (name, c.get('selector'), c.get('property'))
            sel, prop, value = c.get('selector', ''), c.get('property', ''), c.get('value', '')
            if prop.endswith('color') and not re.match(r'^rgba?\(\d{1,3}, \d{1,3}, \d{1,3}(, [\d.]+)?\)$', value):
                err(where, 'colour %r is not in getComputedStyle rgb() form' % value)
            if prop in ('font-size', 'width', 'max-width') and not re.match(r'^\d+(\.\d+)?px$', value):
                err(where, '%r is not a px length' % value)
            parsed = parse_selector(sel)
            if not parsed:
                err(where, 'selector outside the supported subset')
                continue
            hits = [n for n in body if matches(n, parsed)]
            if not hits:
                err(where, 'selector matches nothing')
                continue
            n_unique += len(hits) == 1
            node = hits[0]
            bad = is_hostile_node(node, nn)
            if bad:
                err(where, 'check on a hostile element (%s)' % bad)
            for mparsed, _, _, ds, text in media:
                if matches(node, mparsed) and any(k in family(prop) for k, _ in ds):
                    err(where, '@media rule %r also sets it (viewport-dependent)' % text)
            got, source = resolve(node, prop, rules)
            if got is None:
                warn(where, 'could not recompute the expected value %r' % value)
                continue
            norm = normalize(prop, got)
            if norm is None:
                warn(where, 'value %r from %s cannot be predicted' % (got, source))
            elif norm != value:
                err(where, 'expected %r but the mail\'s CSS gives %r (%s)' % (value, norm, source))
            else:
                n_verified += 1
                if '(inherited into a table' in source or source.startswith(('rule body', 'rule html')):
                    warn(where, 'value comes from ' + source)
    for w in warnings:
        print('warning:', w)
    for p in problems:
        print('ERROR:', p)
    print('%d mails, %d checks' % (len(files), n_checks))
    print('(%d checks recomputed from the mail CSS, %d selectors match exactly one element)'
          % (n_verified, n_unique))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
