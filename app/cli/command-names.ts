// The operator CLI's commands, by name: dpp.ts checks a command against them before it loads
// anything (a database among them), and commands.server.ts runCommand dispatches every one.
export const COMMANDS = ["sync", "import", "export", "passports", "qr", "integrations", "promote"] as const;
export type Command = (typeof COMMANDS)[number];

export function isCommand(name: string): name is Command {
  return (COMMANDS as readonly string[]).includes(name);
}
