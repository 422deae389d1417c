import { createServer, IncomingMessage, Server, ServerResponse } from "http";

interface Comment { id: number; body: string; user: { login: string }; html_url?: string; updated_at?: string }

export interface FakeGitHubOptions {
  /** Pull request whose comments are served. @default 42 */
  readonly issue?: number;
  /** First comment id handed out. @default 1000 */
  readonly firstId?: number;
  /** `GET /repos/acme/infra/commits/<sha>/pulls` answers, by commit. @default {} */
  readonly pullsByCommit?: Readonly<Record<string, unknown[]>>;
}

/**
 * A local stand-in for the GitHub REST endpoints the actions use: a pull request's comments
 * (list, create, update) and a commit's pull requests, for repository acme/infra and token
 * `test-token`.
 */
export function fakeGitHub(options: FakeGitHubOptions = {}) {
  const comments: Comment[] = [];
  const requests: string[] = [];
  let nextId = options.firstId ?? 1000;
  const issue = options.issue ?? 42;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      requests.push(`${req.method} ${url.pathname}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== "token test-token") return send(401, { message: "Bad credentials" });
      const commitPulls = /^\/repos\/acme\/infra\/commits\/([0-9a-f]{40})\/pulls$/.exec(url.pathname);
      if (commitPulls && req.method === "GET") return send(200, options.pullsByCommit?.[commitPulls[1]!] ?? []);
      const list = new RegExp(`^/repos/acme/infra/issues/${issue}/comments$`).exec(url.pathname);
      const one = /^\/repos\/acme\/infra\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (list && req.method === "GET") return send(200, comments);
      if (list && req.method === "POST") {
        const c = { id: nextId++, body: JSON.parse(raw).body, user: { login: "github-actions[bot]" }, html_url: "http://example.invalid/c", updated_at: "2026-12-02T00:00:00Z" };
        comments.push(c);
        return send(201, c);
      }
      if (one && req.method === "PATCH") {
        const c = comments.find((x) => x.id === Number(one[1]));
        if (!c) return send(404, { message: "Not Found" });
        c.body = JSON.parse(raw).body;
        return send(200, c);
      }
      return send(404, { message: "Not Found" });
    });
  });
  return { server, comments, requests };
}
