// Builds web/dist: one hashed JS bundle and one hashed CSS file under assets/ (cached forever by the
// node), and index.html (revalidated on every load) pointing at them. Everything comes from npm.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "assets"), { recursive: true });

const result = await esbuild.build({
  entryPoints: [join(here, "src/main.ts")],
  bundle: true,
  minify: true,
  sourcemap: "linked",
  format: "esm",
  target: ["es2020"],
  outdir: join(dist, "assets"),
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  logLevel: "warning",
  legalComments: "linked",
});

// The entry's outputs: main-HASH.js and the CSS esbuild split out of the imports.
let js = "";
let css = "";
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  if (!meta.entryPoint) continue;
  js = "/assets/" + basename(out);
  if (meta.cssBundle) css = "/assets/" + basename(meta.cssBundle);
}
if (!js || !css) throw new Error("build: the bundle or its CSS is missing");

const html = readFileSync(join(here, "src/index.html"), "utf8")
  .replace("%CSS%", css)
  .replace("%JS%", js);
writeFileSync(join(dist, "index.html"), html);
copyFileSync(join(here, "src/favicon.svg"), join(dist, "favicon.svg"));
console.log(`web/dist: ${js}, ${css}`);
