import type { MailMessage } from "./mailer.js";

// Plain text only: nothing to render wrongly, nothing remote to load. The code is on a line of its
// own so a mail client (and a test) finds it easily, and never in the subject: subjects show on lock
// screens and end up in logs ("mail sent" lines).

export function verificationMail(to: string, code: string, ttlMinutes: number): MailMessage {
  return {
    to,
    subject: "homecam: confirm your e-mail address",
    text: [
      "Hello,",
      "",
      "Enter this code in homecam to confirm your e-mail address:",
      "",
      `    ${code}`,
      "",
      `It works once, for ${ttlMinutes} minutes.`,
      "If you did not create a homecam account, ignore this message.",
      "",
    ].join("\n"),
  };
}

export function passwordResetMail(to: string, code: string, ttlMinutes: number): MailMessage {
  return {
    to,
    subject: "homecam: password reset code",
    text: [
      "Hello,",
      "",
      "Someone (hopefully you) asked to reset the password of your homecam account.",
      "Enter this code to choose a new password:",
      "",
      `    ${code}`,
      "",
      `It works once, for ${ttlMinutes} minutes. Resetting signs out every device.`,
      "If you did not ask for this, ignore this message: your password stays as it is.",
      "",
    ].join("\n"),
  };
}
