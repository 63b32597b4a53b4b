import nodemailer from "nodemailer";
import type { Logger } from "pino";

// The one place that imports nodemailer. The app sends one kind of e-mail (a password-reset link);
// routers get a Mailer from the context, or null when no sender is configured.

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailSettings {
  smtpUrl: string;
  from: string;
  /** Bounds connecting and each SMTP exchange, so a dead server cannot hold a send for ever. */
  timeoutMs?: number;
}

/** An SMTP sender from SMTP_URL (smtp:// upgrades with STARTTLS when offered, smtps:// is TLS). */
export function createSmtpMailer(settings: MailSettings): Mailer {
  const timeout = settings.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: settings.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(message) {
      await transport.sendMail({ from: settings.from, ...message });
    },
    close: () => transport.close(),
  };
}

/**
 * Development only (PASSWORD_RESET_LOG_LINKS, refused in production by the config): the message is
 * written to the log instead of sent, so `npm start` can reset a password without an SMTP server.
 */
export function createLogMailer(logger: Logger): Mailer {
  return {
    async send(message) {
      logger.warn(
        { to: message.to, subject: message.subject, text: message.text },
        "development: e-mail logged instead of sent (PASSWORD_RESET_LOG_LINKS)",
      );
    },
    close: () => {},
  };
}
