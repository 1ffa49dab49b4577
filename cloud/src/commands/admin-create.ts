import { emailSchema } from "@homecam/shared";
import { UserStore } from "../accounts/user-store.js";
import { PasswordHasher } from "../auth/password-hash.js";
import { passwordProblem } from "../auth/password-policy.js";
import type { DatabaseHandle } from "../db/open-database.js";
import type { Clock } from "../security/clock.js";

// `homecam-cloud admin create`: the first administrator comes from the operator's shell, never from
// a default password (security note, I6). An existing account is promoted; a new one is created
// with a verified e-mail (the operator vouches for it).

export interface AdminCreateInput {
  email: string;
  name: string;
  /** Needed for a new account; for an existing one, sets a new password when given. */
  password?: string | undefined;
}

export interface AdminCreateResult {
  userId: string;
  email: string;
  created: boolean;
}

/** Thrown for input the operator must fix (bad e-mail, weak or missing password). */
export class AdminCreateError extends Error {
  readonly code = "HC_ERR_ACCOUNTS_ADMIN_CREATE";
  override readonly name = "AdminCreateError";
}

export async function adminCreate(
  db: DatabaseHandle,
  input: AdminCreateInput,
  deps: { clock: Clock; hasher?: PasswordHasher },
): Promise<AdminCreateResult> {
  const parsed = emailSchema.safeParse(input.email);
  if (!parsed.success) throw new AdminCreateError(`--email: not an e-mail address: ${input.email}`);
  const email = parsed.data;
  const name = input.name.trim();
  if (name.length < 1 || name.length > 50) throw new AdminCreateError("--name: 1 to 50 characters");
  const hasher = deps.hasher ?? new PasswordHasher();
  const users = new UserStore(db.db);
  const now = deps.clock.now();
  const existing = await users.byEmail(email);
  let passwordHash: string | undefined;
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, email);
    if (problem) throw new AdminCreateError(`password: ${problem}`);
    passwordHash = await hasher.hash(input.password);
  }
  if (existing) {
    await users.update(
      existing.id,
      {
        role: "admin",
        is_active: 1,
        email_verified: 1,
        // A new password ends the sessions started with the old one.
        ...(passwordHash ? { password_hash: passwordHash, tokens_valid_after: now } : {}),
      },
      now,
    );
    return { userId: existing.id, email, created: false };
  }
  if (!passwordHash)
    throw new AdminCreateError("a new account needs a password (--password-stdin or the prompt)");
  const user = await users.create(
    { email, passwordHash, name, provider: "local", emailVerified: true, role: "admin" },
    now,
  );
  return { userId: user.id, email, created: true };
}

/** Everything on stdin, without the final line break (`--password-stdin`). */
export async function readPasswordFromStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Ask for a password on the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY)
    return Promise.reject(new AdminCreateError("no terminal to ask for the password: use --password-stdin"));
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          finish();
          resolve(value);
          return;
        }
        if (ch === "\u0003" || ch === "\u0004") {
          finish();
          reject(new AdminCreateError("cancelled"));
          return;
        }
        value = ch === "\u007f" || ch === "\b" ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on("data", onData);
  });
}
