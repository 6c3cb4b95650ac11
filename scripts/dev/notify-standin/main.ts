// Runs the notification stand-in alone: `npx tsx scripts/dev/notify-standin/main.ts [port]`.
import { startNotifyStandin } from "./server.ts";

const standin = await startNotifyStandin({
  port: Number(process.argv[2] ?? 0),
  emailApiKey: "SG.local",
  twilioSid: "AC00000000000000000000000000000000",
  twilioToken: "local-token",
  log: (line) => console.log(`[notify] ${line}`),
});
console.log(`mailbox at ${standin.url}/`);
