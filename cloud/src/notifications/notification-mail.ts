import type { NotificationView } from "@homecam/shared";
import type { MailMessage } from "../mail/mailer.js";

// The e-mail of a notification. Plain text, like the account mails (cloud/src/mail/templates.ts):
// nothing remote to load, nothing to render wrongly. The subject is the notification's title
// (it names the camera: that is what a lock screen should show), the body adds the message, the
// time and a link to the viewer.

export function notificationMail(to: string, n: NotificationView, viewerUrl: string): MailMessage {
  const link = viewerUrl.endsWith("/") ? viewerUrl : `${viewerUrl}/`;
  return {
    to,
    subject: `homecam: ${n.title}`,
    text: [
      n.title,
      "",
      n.message,
      "",
      `When: ${n.createdAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")}`,
      `Priority: ${n.priority}`,
      "",
      `Open homecam to see it: ${link}`,
      "",
      "You get these e-mails because e-mail notifications are on in your homecam settings.",
      "",
    ].join("\n"),
  };
}
