// Checks every relative link of every Markdown file in the repository (node_modules, dist
// and .tmp left out): the file or directory it names exists, and its #anchor is a heading
// (or an explicit id/name) of the Markdown file it points to. Links inside code (fenced
// blocks, inline code) are not links. Web links (http:, https:, mailto:) are not checked:
// CI has no network.
//
//   node scripts/check-links.mjs            exit 1 listing every broken link as file:line
//
// Anchors are made as GitHub makes them (github-slugger): the heading's text, lowercased,
// every character but letters, digits, marks, `_`, `-` and spaces removed, spaces turned into
// `-`; a repeated heading gets `-1`, `-2`, ….
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SKIP_DIRS = new Set(["node_modules", "dist", ".tmp", ".git", ".turbo"]);

/** Every *.md under `dir`, skipping SKIP_DIRS. */
function markdownFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(path));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith(".md")) out.push(path);
  }
  return out;
}

/** The lines of `text` with code (fenced blocks, indented blocks are rare here; inline code spans) blanked. */
function proseLines(text) {
  const lines = text.split(/\r?\n/);
  let fence;
  return lines.map((line) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== undefined) {
      if (m !== null && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1].padEnd(line.trim().length, m[1][0])) fence = undefined;
      return "";
    }
    if (m !== null) {
      fence = m[1];
      return "";
    }
    return line.replace(/(`+)(?:(?!\1).)+?\1/g, (code) => " ".repeat(code.length));
  });
}

/** GitHub's anchor of a heading's text. */
export function slug(heading) {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1") // images: their alt text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // links: their text
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, "$1")
    .replace(/<[^>]+>/g, "") // inline HTML
    .replace(/`/g, "");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

const anchorCache = new Map();

/** The anchors a Markdown file defines: its headings' slugs (deduplicated as GitHub does) and explicit ids. */
function anchorsOf(file) {
  let anchors = anchorCache.get(file);
  if (anchors !== undefined) return anchors;
  anchors = new Set();
  const seen = new Map();
  const text = readFileSync(file, "utf8");
  const raw = text.split(/\r?\n/);
  const lines = proseLines(text);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === "" && raw[i] !== "") continue; // inside a code block
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw[i]);
    const setext =
      i + 1 < raw.length && raw[i].trim() !== "" && /^\s{0,3}(=+|-+)\s*$/.test(raw[i + 1]) && !/^\s{0,3}([-*+]|\d+\.)\s/.test(raw[i]) && lines[i + 1] !== "";
    const title = heading?.[1] ?? (setext && !/^\s*[|>]/.test(raw[i]) && !/^\s{0,3}(-{3,}|\*{3,})\s*$/.test(raw[i]) ? raw[i].trim() : undefined);
    if (title !== undefined) {
      const base = slug(title);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of raw[i].matchAll(/<[a-z][^>]*\s(?:id|name)=["']([^"']+)["']/gi)) anchors.add(m[1]);
  }
  anchorCache.set(file, anchors);
  return anchors;
}

/** Link targets on one line of prose: inline links and images, and reference definitions. */
function targetsOf(line) {
  const out = [];
  // [text](target "title") — the text may hold one level of brackets (an image in a link).
  for (const m of line.matchAll(/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+["'(][^)]*)?\)/g)) {
    out.push(m[1].replace(/^<|>$/g, ""));
  }
  const def = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
  if (def !== null) out.push(def[1].replace(/^<|>$/g, ""));
  return out;
}

const problems = [];
const files = markdownFiles(root);
for (const file of files) {
  const lines = proseLines(readFileSync(file, "utf8"));
  lines.forEach((line, i) => {
    for (const target of targetsOf(line)) {
      if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // a web link, mailto:, …
      const hashAt = target.indexOf("#");
      const pathPart = hashAt < 0 ? target : target.slice(0, hashAt);
      const anchor = hashAt < 0 ? undefined : target.slice(hashAt + 1);
      let path;
      try {
        path = decodeURIComponent(pathPart.split("?")[0]);
      } catch {
        path = pathPart;
      }
      const where = `${relative(root, file)}:${i + 1}`;
      const resolved = path === "" ? file : path.startsWith("/") ? join(root, path) : resolve(dirname(file), path);
      if (!existsSync(resolved)) {
        problems.push(`${where}: ${target} — no such file or directory (${relative(root, resolved)})`);
        continue;
      }
      if (anchor === undefined || anchor === "") continue;
      if (!statSync(resolved).isFile() || !resolved.toLowerCase().endsWith(".md")) continue; // #L10 of a source file: GitHub's, not ours
      const decoded = (() => {
        try {
          return decodeURIComponent(anchor);
        } catch {
          return anchor;
        }
      })();
      if (!anchorsOf(resolved).has(decoded.toLowerCase()) && !anchorsOf(resolved).has(decoded)) {
        problems.push(`${where}: ${target} — no heading #${decoded} in ${relative(root, resolved)}`);
      }
    }
  });
}

if (problems.length > 0) {
  console.error(`check-links: ${problems.length} broken relative link(s) in ${files.length} Markdown files:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exitCode = 1;
} else {
  console.log(`check-links: every relative link and anchor of ${files.length} Markdown files resolves`);
}
