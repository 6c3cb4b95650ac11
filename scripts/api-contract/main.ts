// npm run api:generate  writes web/shared/api/openapi.json and schema.d.ts from the routes.
// npm run api:check     fails when the committed copies are stale.
import { parseArgs } from "node:util";
import { buildContract, staleFiles, writeContract } from "./contract.ts";

const { positionals } = parseArgs({ allowPositionals: true });
const command = positionals[0];
if (command !== "generate" && command !== "check") {
  console.error("usage: tsx scripts/api-contract/main.ts generate|check");
  process.exit(2);
}

const files = await buildContract();
if (command === "generate") {
  await writeContract(files);
  for (const file of files) console.log(`wrote ${file.path}`);
} else {
  const stale = await staleFiles(files);
  if (stale.length > 0) {
    console.error(
      `The API contract is stale: ${stale.join(", ")}.\nRun \`npm run api:generate\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log("The API contract is up to date.");
}
