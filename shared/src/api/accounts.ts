import { z } from "zod";
import { epochMsSchema } from "../mqtt/bodies/common.js";
import { nextCursorSchema, pageCursorSchema, pageLimitSchema } from "./admin.js";

// Accounts (issue 5): MIMO's users, terms agreements and e-mail verification, seed 001's roles,
// `isActive` and `lastLogin`. Browser-safe: a viewer validates its forms with the same schemas the
// cloud validates requests with.

/** An e-mail address, trimmed and lower-cased (the account key). */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email("not an e-mail address").max(254))
  .describe("E-mail address (case-insensitive).");

/** Password policy limits (ASVS 5.0 6.2.1/6.2.9: long passphrases allowed, no composition rules). */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * A new password: 10–256 characters. The cloud also refuses the account's e-mail address and a
 * short list of very common passwords (it needs the e-mail, so that part is not in this schema).
 */
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`)
  .describe(
    `New password, ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters; not the e-mail address.`,
  );

/** A password being checked (no policy: older passwords stay usable). */
const passwordSchema = z.string().min(1).max(PASSWORD_MAX_LENGTH).describe("Password.");

/** A 6-digit one-time code from an e-mail. */
export const oneTimeCodeSchema = z
  .string()
  .regex(/^[0-9]{6}$/, "must be 6 digits")
  .describe("The 6-digit code from the e-mail.");

/** An opaque refresh token as issued by the cloud. */
export const refreshTokenSchema = z.string().min(1).max(200).describe("Refresh token from login or refresh.");

export const ROLES = ["admin", "user"] as const;
export const roleSchema = z.enum(ROLES).describe("admin | user");
export type Role = z.output<typeof roleSchema>;

export const providerSchema = z.enum(["local", "google"]).describe("How the account was created.");

const displayName = z.string().trim().min(1).max(50);

/** An account as its owner (and an administrator) sees it. Never the password hash. */
export const userViewSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  nickname: z.string().nullable(),
  bio: z.string().nullable(),
  phone: z.string().nullable(),
  birth: z.string().nullable().describe("YYYY-MM-DD."),
  pictureUrl: z.string().nullable(),
  emailVerified: z.boolean(),
  role: roleSchema,
  isActive: z.boolean().describe("False: the account is deactivated and every token is refused."),
  provider: providerSchema,
  googleLinked: z.boolean().describe("A Google account is linked (sign-in with Google works)."),
  createdAt: epochMsSchema,
  lastLoginAt: epochMsSchema.nullable(),
});
export type UserView = z.output<typeof userViewSchema>;

// ---- auth ----------------------------------------------------------------------------------------

const optionalAgreement = (what: string) =>
  z.boolean().optional().describe(`Agrees to ${what} (default false).`);

/** `POST /api/auth/register` body. */
export const registerBodySchema = z.strictObject({
  email: emailSchema,
  password: newPasswordSchema,
  name: displayName.describe("Real name (1–50 characters)."),
  agreeTerms: z.literal(true, "the terms of service must be accepted").describe("Must be true."),
  agreePrivacy: z.literal(true, "the privacy policy must be accepted").describe("Must be true."),
  agreeMicrophone: optionalAgreement("microphone use"),
  agreeLocation: optionalAgreement("location use"),
  agreeMarketing: optionalAgreement("marketing e-mail"),
});
export type RegisterBody = z.input<typeof registerBodySchema>;

/** `POST /api/auth/login` body. */
export const loginBodySchema = z.strictObject({ email: emailSchema, password: passwordSchema });

/** `POST /api/auth/refresh` body. */
export const refreshBodySchema = z.strictObject({ refreshToken: refreshTokenSchema });

/** `POST /api/auth/logout` body: the session to end; without it, the one of the access token sent. */
export const logoutBodySchema = z.strictObject({ refreshToken: refreshTokenSchema.optional() });

/** `POST /api/auth/google` body. */
export const googleBodySchema = z.strictObject({
  idToken: z.string().min(1).max(8192).describe("Google ID token (a JWT from Google Identity Services)."),
});

/** `POST /api/auth/password/forgot` body. */
export const forgotPasswordBodySchema = z.strictObject({ email: emailSchema });

/** `POST /api/auth/password/reset` body. */
export const resetPasswordBodySchema = z.strictObject({
  email: emailSchema,
  code: oneTimeCodeSchema,
  newPassword: newPasswordSchema,
});

/** A new pair of tokens (login, register, refresh, Google). */
export const tokenPairSchema = z.object({
  accessToken: z.string().describe("EdDSA JWT for `Authorization: Bearer`, valid for expiresIn seconds."),
  refreshToken: z.string().describe("Opaque; single use: every refresh returns a new one."),
  tokenType: z.literal("Bearer"),
  expiresIn: z.int().positive().describe("Access token lifetime in seconds."),
  refreshExpiresAt: epochMsSchema.describe("When this refresh token stops working if unused."),
});

/** `POST /api/auth/login`, `/register`, `/google` data. */
export const sessionSchema = tokenPairSchema.extend({ user: userViewSchema });
export type SessionData = z.output<typeof sessionSchema>;

/** `POST /api/auth/logout` data. */
export const logoutResultSchema = z.object({ loggedOut: z.literal(true) });

/** `POST /api/auth/password/forgot` data (the same whether the account exists or not). */
export const forgotPasswordResultSchema = z.object({ accepted: z.literal(true) });

/** `POST /api/auth/password/reset` data. */
export const resetPasswordResultSchema = z.object({ reset: z.literal(true) });

// ---- profile -------------------------------------------------------------------------------------

const nullableText = (max: number, what: string) =>
  z.string().trim().max(max).nullable().optional().describe(`${what} (null clears it).`);

/** A birth date: a real calendar date, YYYY-MM-DD, from 1900 to today. */
export const birthDateSchema = z.iso
  .date("must be a date YYYY-MM-DD")
  .refine(
    (d) => d >= "1900-01-01" && d <= new Date().toISOString().slice(0, 10),
    "must be between 1900 and today",
  );

/** `PUT /api/profile` body: only the fields sent change. */
export const profileUpdateSchema = z.strictObject({
  name: displayName.optional().describe("Real name (1–50 characters)."),
  nickname: nullableText(50, "Nickname"),
  bio: nullableText(500, "About me"),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()-]{3,19}$/, "digits, spaces, ( ) and - only, optional leading +")
    .nullable()
    .optional()
    .describe("Phone number (null clears it)."),
  birth: birthDateSchema.nullable().optional().describe("Birth date YYYY-MM-DD (null clears it)."),
  pictureUrl: z
    .url({ protocol: /^https$/, error: "must be an https:// URL" })
    .max(2048)
    .nullable()
    .optional()
    .describe("Profile picture, an https URL (null clears it)."),
});
export type ProfileUpdate = z.input<typeof profileUpdateSchema>;

/** `PUT /api/profile/password` body. */
export const changePasswordBodySchema = z.strictObject({
  currentPassword: passwordSchema,
  newPassword: newPasswordSchema,
});

/** `PUT /api/profile/password` data: a fresh access token for this session (older ones are refused). */
export const changePasswordResultSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.int().positive(),
});

/** One terms agreement, as given at the time. */
export const termsAgreementSchema = z.object({
  id: z.string(),
  version: z.string().describe("Version of the terms agreed to."),
  agreeTerms: z.boolean(),
  agreePrivacy: z.boolean(),
  agreeMicrophone: z.boolean(),
  agreeLocation: z.boolean(),
  agreeMarketing: z.boolean(),
  createdAt: epochMsSchema,
});

/** `GET /api/profile/terms` data: newest first. */
export const termsHistorySchema = z.object({ agreements: z.array(termsAgreementSchema) });

/** `POST /api/profile/verify-email` body. */
export const verifyEmailBodySchema = z.strictObject({ code: oneTimeCodeSchema });

/** `POST /api/profile/email-verification` data. */
export const verificationSentSchema = z.object({
  sent: z.literal(true),
  expiresAt: epochMsSchema.describe("When the code stops working."),
});

/** `POST /api/profile/verify-email` data. */
export const emailVerifiedSchema = z.object({ emailVerified: z.literal(true) });

/** `GET /api/profile/email-verification-status` data. */
export const emailVerificationStatusSchema = z.object({
  email: z.string(),
  emailVerified: z.boolean(),
  codePending: z.boolean().describe("A code was sent and can still be used."),
  codeExpiresAt: epochMsSchema.nullable(),
});

// ---- admin ---------------------------------------------------------------------------------------

/** `GET /api/admin/users` query. */
export const adminUserListQuerySchema = z.strictObject({
  search: z.string().trim().max(254).optional().describe("Only users whose e-mail contains this."),
  limit: pageLimitSchema,
  cursor: pageCursorSchema,
});

/** `GET /api/admin/users` data: newest accounts first. */
export const adminUserPageSchema = z.object({ users: z.array(userViewSchema), nextCursor: nextCursorSchema });

/** `PATCH /api/admin/users/:id` body. */
export const adminUserPatchSchema = z
  .strictObject({
    isActive: z.boolean().optional().describe("false deactivates: every token stops working at once."),
    role: roleSchema.optional(),
  })
  .refine((b) => b.isActive !== undefined || b.role !== undefined, "nothing to change");
