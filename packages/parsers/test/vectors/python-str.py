# Generates python-str.json (run from this folder with CPython 3.11): the Python str semantics
# the parsers reproduce — splitlines(), strip(), repr() and isspace(). Golden file: regenerate
# only when the reference Python version changes.
import json, random, sys
rng = random.Random(20260110)
alphabet = ["a", "Z", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85",
            "\xa0", "\u1680", "\u2000", "\u200a", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
            "\ufeff", "\x00", "\x7f", "\x9f", "'", '"', "\\", "#", "`", "~", "é", "日", "\U0001F680",
            "\U0001F469\u200d\U0001F4BB", "\ud800", "\udfff", "\U000E0001", "\U0010FFFF", "\u0378", "\xad", "\ue000"]
cases = ["", "\n", "\r\n", "\r", "a\n", "a\r\nb", "\n\n", "x\u2028y\u2029z", "'", '"', "'\"", "it's", 'say "hi"',
         "\ufeff### Q", "### Q What's this?", "\t### A\t", "\u3000\xa0 x \x1f\x1c"]
while len(cases) < 417:
    n = rng.randrange(0, 12)
    s = "".join(rng.choice(alphabet) for _ in range(n))
    # A high surrogate then a low one are two code points to Python but one to UTF-16.
    if "\ud800\udfff" not in s:
        cases.append(s)
def enc(s):
    # JSON cannot carry lone surrogates portably: store code points.
    return [ord(c) for c in s]
out = {
  "description": "Python str semantics the parsers reproduce: splitlines(), strip(), repr(); strings as code point arrays.",
  "produced_with": {"python": sys.version.split()[0]},
  "whitespace": [cp for cp in range(0x110000) if chr(cp).isspace()],
  "cases": [{"s": enc(s), "splitlines": [enc(x) for x in s.splitlines()], "strip": enc(s.strip()), "repr": repr(s)} for s in cases],
}
json.dump(out, open("python-str.json", "w"), ensure_ascii=True, indent=None, separators=(",", ":"))
