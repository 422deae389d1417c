import { execFileSync } from "child_process";
import { ROOT } from "./run-action";

/**
 * Markdown → HTML the way GitHub parses comments: CommonMark + the GFM extensions (tables,
 * strikethrough, autolinks, task lists) with raw HTML passed through, by micromark, which
 * follows the CommonMark/GFM specs that cmark-gfm implements (HTML-block start and end rules
 * included). micromark is ESM-only, so it runs in a child Node process.
 */
export function renderGfm(markdown: readonly string[]): string[] {
  const script = `
    import { micromark } from "micromark";
    import { gfm, gfmHtml } from "micromark-extension-gfm";
    let input = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (d) => (input += d));
    process.stdin.on("end", () => {
      const docs = JSON.parse(input);
      process.stdout.write(JSON.stringify(docs.map((md) => micromark(md, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] }))));
    });`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, input: JSON.stringify(markdown), encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out);
}
