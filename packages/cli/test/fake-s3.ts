// A tiny S3 (path style, one bucket, on 127.0.0.1) for the CLI's tests, started and stopped
// by the test that uses it. It answers what a store needs — PUT (If-None-Match: * and
// If-Match enforced, or not), GET (ranges too), HEAD, DELETE, ListObjectsV2 — and can
// misbehave: ignore conditional writes as the npm fake S3 servers do, refuse every commit as
// if another writer always got there first, or answer 503 to everything.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeBehaviour = "normal" | "ignore-conditions" | "commits-taken" | "503";

export class FakeS3 {
  /** Objects by key (without the bucket). */
  readonly objects = new Map<string, Buffer>();
  readonly requests: Array<{ method: string; key: string; query: string }> = [];
  behaviour: FakeBehaviour = "normal";
  url = "";
  #server: Server | undefined;

  constructor(readonly bucket = "bucket") {}

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.#respond(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server === undefined ? resolve() : this.#server.close(() => resolve())));
  }

  /** Forgets every object and request, and behaves normally again. */
  reset(): void {
    this.objects.clear();
    this.requests.length = 0;
    this.behaviour = "normal";
  }

  #respond(req: IncomingMessage, res: ServerResponse, body: Buffer): unknown {
    const url = new URL(req.url ?? "/", "http://x");
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? "";
    const key = path.startsWith(`/${this.bucket}/`) ? path.slice(this.bucket.length + 2) : "";
    this.requests.push({ method, key, query: url.search });
    const error = (status: number, code: string) => {
      res.writeHead(status, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
    };
    if (this.behaviour === "503") return error(503, "SlowDown");
    if (path !== `/${this.bucket}` && path !== `/${this.bucket}/` && key === "") return error(404, "NoSuchBucket");
    const etagOf = (b: Buffer) => `"${createHash("md5").update(b).digest("hex")}"`;
    const existing = this.objects.get(key);
    switch (method) {
      case "PUT": {
        if (this.behaviour !== "ignore-conditions") {
          if (req.headers["if-none-match"] === "*" && (existing !== undefined || (this.behaviour === "commits-taken" && key.includes("/commits/"))))
            return error(412, "PreconditionFailed");
          const ifMatch = req.headers["if-match"];
          if (ifMatch !== undefined && (existing === undefined || ifMatch.replaceAll('"', "") !== etagOf(existing).replaceAll('"', "")))
            return error(412, "PreconditionFailed");
        }
        this.objects.set(key, body);
        res.writeHead(200, { etag: etagOf(body) });
        return res.end();
      }
      case "GET":
      case "HEAD": {
        if (key === "" && url.searchParams.get("list-type") === "2") return this.#list(url.searchParams, res);
        if (existing === undefined) {
          if (method === "HEAD") {
            res.writeHead(404);
            return res.end();
          }
          return error(404, "NoSuchKey");
        }
        const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
        if (range !== null) {
          const from = Number(range[1]);
          const to = Math.min(Number(range[2]), existing.length - 1);
          if (from > to) return error(416, "InvalidRange");
          const part = existing.subarray(from, to + 1);
          res.writeHead(206, { etag: etagOf(existing), "content-length": part.length, "content-range": `bytes ${from}-${to}/${existing.length}` });
          return res.end(method === "GET" ? part : undefined);
        }
        res.writeHead(200, { etag: etagOf(existing), "content-length": existing.length });
        return res.end(method === "GET" ? existing : undefined);
      }
      case "DELETE":
        this.objects.delete(key);
        res.writeHead(204);
        return res.end();
      default:
        return error(405, "MethodNotAllowed");
    }
  }

  #list(params: URLSearchParams, res: ServerResponse): void {
    const prefix = params.get("prefix") ?? "";
    const after = params.get("continuation-token") ?? params.get("start-after") ?? "";
    const max = Number(params.get("max-keys") ?? 1000);
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, max);
    const truncated = keys.length > page.length;
    const xml = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
    const contents = page
      .map(
        (k) =>
          `<Contents><Key>${xml(k)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;0&quot;</ETag><Size>${this.objects.get(k)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join("");
    const next = truncated ? `<NextContinuationToken>${xml(page.at(-1)!)}</NextContinuationToken>` : "";
    res.writeHead(200, { "content-type": "application/xml" });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${this.bucket}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`,
    );
  }
}
