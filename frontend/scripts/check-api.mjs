// Fails when src/api/schema.d.ts is not what openapi-typescript makes of openapi.json,
// i.e. when someone changed the gateway's contract without running `npm run gen:api`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const committed = "src/api/schema.d.ts";
const dir = mkdtempSync(join(tmpdir(), "orderflow-api-"));
const fresh = join(dir, "schema.d.ts");
try {
  execFileSync("npx", ["openapi-typescript", "openapi.json", "-o", fresh], { stdio: "ignore" });
  if (readFileSync(fresh, "utf8") !== readFileSync(committed, "utf8")) {
    try {
      execFileSync("diff", ["-u", committed, fresh], { stdio: "inherit" });
    } catch {
      // diff exits 1 when the files differ; its output is the point.
    }
    console.error(`\n${committed} is stale against openapi.json: run \`npm run gen:api\` and commit it.`);
    process.exitCode = 1;
  } else {
    console.log(`${committed} is up to date with openapi.json`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
