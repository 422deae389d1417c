import { createServer, IncomingMessage, Server, ServerResponse } from "http";

interface Comment { id: number; body: string; user: { login: string } }

/** A local stand-in for the three GitHub REST endpoints the action uses. */
export function fakeGitHub() {
  const comments: Comment[] = [];
  const requests: string[] = [];
  let nextId = 1000;
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
      const list = /^\/repos\/acme\/infra\/issues\/42\/comments$/.exec(url.pathname);
      const one = /^\/repos\/acme\/infra\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (list && req.method === "GET") return send(200, comments);
      if (list && req.method === "POST") {
        const c = { id: nextId++, body: JSON.parse(raw).body, user: { login: "github-actions[bot]" }, html_url: "http://example.invalid/c" };
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

